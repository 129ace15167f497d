// App webhooks (issue 24), in Heroku's shapes.
import { z } from 'zod';
import { id, timestamp } from './common.js';

/** The entities an app webhook may subscribe to (Heroku's names). */
export const webhookEntities = ['api:app', 'api:build', 'api:release', 'api:formation', 'api:dyno', 'api:domain', 'api:addon'] as const;
export type WebhookEntity = (typeof webhookEntities)[number];

const appRef = z.object({ id, name: z.string() });

export const webhookSchema = z.object({
  id,
  app: appRef,
  url: z.string(),
  level: z.enum(['notify', 'sync']).describe('notify: one attempt; sync: retried with backoff'),
  include: z.array(z.string()).describe('The entities whose events are delivered (api:release, api:build, …)'),
  created_at: timestamp,
  updated_at: timestamp,
});

/** The answer to a create: the webhook, and the secret deliveries are signed with (shown this once; also the Heroku-Webhook-Secret header). */
export const createdWebhookSchema = webhookSchema.extend({ secret: z.string() });

export const webhookEventSchema = z.object({
  id,
  include: z.string(),
  payload: z.object({
    action: z.string(),
    actor: z.object({ id: id.nullable(), email: z.string().nullable() }),
    data: z.record(z.unknown()),
    previous_data: z.record(z.unknown()),
    resource: z.string(),
    version: z.string(),
  }),
  created_at: timestamp,
  updated_at: timestamp,
});

export const webhookDeliverySchema = z.object({
  id,
  event: z.object({ id, include: z.string() }),
  webhook: z.object({ id, level: z.enum(['notify', 'sync']) }),
  status: z.enum(['pending', 'scheduled', 'retrying', 'failed', 'succeeded']),
  num_attempts: z.number().int(),
  next_attempt_at: timestamp.nullable(),
  last_attempt: z
    .object({ id, code: z.number().int().nullable(), error_class: z.string().nullable(), status: z.enum(['failed', 'succeeded']), created_at: timestamp, updated_at: timestamp })
    .nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});

export type Webhook = z.infer<typeof webhookSchema>;
export type CreatedWebhook = z.infer<typeof createdWebhookSchema>;
export type WebhookEvent = z.infer<typeof webhookEventSchema>;
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

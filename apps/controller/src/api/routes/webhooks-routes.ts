import { z } from 'zod';
import { AppError } from '@paas/shared';
import { createdWebhookSchema, webhookDeliverySchema, webhookEntities, webhookEventSchema, webhookSchema } from '@paas/shared/api-contract';
import type { AppRow } from '../../db/apps.js';
import {
  getWebhook,
  getWebhookDelivery,
  getWebhookEvent,
  listWebhookDeliveries,
  listWebhookEvents,
  listWebhooks,
  type WebhookDeliveryRow,
  type WebhookEventRow,
  type WebhookRow,
} from '../../db/webhooks.js';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An Authorization header value: printable, one line. */
const headerValue = z.string().min(1).max(1000).regex(/^[\x20-\x7e]+$/, 'must be printable ASCII on one line');
const secretValue = z.string().min(8, 'must be at least 8 characters').max(200).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

const include = z.array(z.string().max(50)).min(1).max(webhookEntities.length).describe(`The entities whose events are delivered: ${webhookEntities.join(', ')}`);
const level = z.enum(['notify', 'sync']).describe('notify: one attempt; sync: retried with exponential backoff (PAAS_WEBHOOK_SYNC_ATTEMPTS)');

const createBody = z.object({
  url: z.string({ required_error: 'is required' }).max(2048).describe('Where deliveries are POSTed (https://)'),
  include,
  level,
  secret: secretValue.optional().describe('Signs deliveries (Heroku-Webhook-Hmac-SHA256); generated when left out, shown once'),
  authorization: headerValue.nullable().optional().describe('Sent as the Authorization header of every delivery (stored encrypted)'),
});

const updateBody = z
  .object({ url: z.string().max(2048).optional(), include: include.optional(), level: level.optional(), secret: secretValue.optional(), authorization: headerValue.nullable().optional() })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one of url, include, level, secret, authorization');

const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }).strict();

export function webhookJson(app: AppRow, w: WebhookRow) {
  return { id: w.id, app: { id: app.id, name: app.name }, url: w.url, level: w.level, include: w.include, created_at: w.created_at.toISOString(), updated_at: w.updated_at.toISOString() };
}

function eventJson(e: WebhookEventRow) {
  return { id: e.id, include: e.include, payload: e.payload as z.infer<typeof webhookEventSchema>['payload'], created_at: e.created_at.toISOString(), updated_at: e.updated_at.toISOString() };
}

function deliveryJson(d: WebhookDeliveryRow) {
  return {
    id: d.id,
    event: { id: d.event_id, include: d.include },
    webhook: { id: d.webhook_id, level: d.level },
    status: d.status,
    num_attempts: d.num_attempts,
    next_attempt_at: d.next_attempt_at?.toISOString() ?? null,
    last_attempt:
      d.last_attempt_id && d.last_attempt_at
        ? {
            id: d.last_attempt_id,
            code: d.last_code,
            error_class: d.last_error,
            status: d.status === 'succeeded' ? ('succeeded' as const) : ('failed' as const),
            created_at: d.last_attempt_at.toISOString(),
            updated_at: d.last_attempt_at.toISOString(),
          }
        : null,
    created_at: d.created_at.toISOString(),
    updated_at: d.updated_at.toISOString(),
  };
}

function idParam(params: Record<string, string>, what: 'webhook' | 'delivery' | 'event'): string {
  const id = params[what] ?? '';
  if (!uuid.test(id)) throw new AppError('not_found', `no ${what} ${id.slice(0, 40)} on this app`);
  return id;
}

/** App webhooks, their events and deliveries, in Heroku's shapes (`paas webhooks*`). */
export function webhooksRoutes(table: RouteTable, ctx: ApiContext): void {
  const service = ctx.webhooks;
  if (!service) return;
  table.add({
    method: 'get',
    path: '/apps/:app/webhooks',
    action: 'app:config:read',
    tag: 'webhooks',
    summary: "The app's webhooks",
    response: z.array(webhookSchema),
    handler: async ({ app }) => (await listWebhooks(ctx.pool, app.id)).map((w) => webhookJson(app, w)),
  });

  table.add({
    method: 'post',
    path: '/apps/:app/webhooks',
    action: 'app:config:write',
    tag: 'webhooks',
    summary: 'Subscribes a URL to the app\'s events; the answer (and its Heroku-Webhook-Secret header) shows the signing secret this once',
    body: createBody,
    example: { url: 'https://hooks.example.com/paas', include: ['api:release', 'api:build'], level: 'notify' },
    status: 201,
    response: createdWebhookSchema,
    handler: async ({ app, body, res }) => {
      const { webhook, secret } = await service.create(app.id, body);
      res.setHeader('Heroku-Webhook-Secret', secret);
      return { ...webhookJson(app, webhook), secret };
    },
  });

  table.add({
    method: 'get',
    path: '/apps/:app/webhooks/:webhook',
    action: 'app:config:read',
    tag: 'webhooks',
    summary: 'One webhook',
    params: { webhook: "The webhook's id" },
    response: webhookSchema,
    handler: async ({ app, params }) => {
      const w = await getWebhook(ctx.pool, app.id, idParam(params, 'webhook'));
      if (!w) throw new AppError('not_found', 'no such webhook on this app');
      return webhookJson(app, w);
    },
  });

  table.add({
    method: 'patch',
    path: '/apps/:app/webhooks/:webhook',
    action: 'app:config:write',
    tag: 'webhooks',
    summary: "Changes a webhook's URL, entities, level, secret or Authorization value (null removes it)",
    params: { webhook: "The webhook's id" },
    body: updateBody,
    example: { level: 'sync' },
    response: webhookSchema,
    handler: async ({ app, params, body }) => webhookJson(app, await service.update(app.id, idParam(params, 'webhook'), body)),
  });

  table.add({
    method: 'delete',
    path: '/apps/:app/webhooks/:webhook',
    action: 'app:config:write',
    tag: 'webhooks',
    summary: 'Removes a webhook (its pending deliveries are dropped)',
    params: { webhook: "The webhook's id" },
    response: webhookSchema,
    handler: async ({ app, params }) => webhookJson(app, await service.remove(app.id, idParam(params, 'webhook'))),
  });

  table.add({
    method: 'get',
    path: '/apps/:app/webhook-deliveries',
    action: 'app:config:read',
    tag: 'webhooks',
    summary: "The app's webhook deliveries, newest first (kept 7 days)",
    query: listQuery,
    response: z.array(webhookDeliverySchema),
    handler: async ({ app, query }) => (await listWebhookDeliveries(ctx.pool, app.id, query.limit)).map(deliveryJson),
  });

  table.add({
    method: 'get',
    path: '/apps/:app/webhook-deliveries/:delivery',
    action: 'app:config:read',
    tag: 'webhooks',
    summary: 'One delivery: its status, attempts, last response code and next attempt',
    params: { delivery: "The delivery's id" },
    response: webhookDeliverySchema,
    handler: async ({ app, params }) => {
      const d = await getWebhookDelivery(ctx.pool, app.id, idParam(params, 'delivery'));
      if (!d) throw new AppError('not_found', 'no such delivery on this app');
      return deliveryJson(d);
    },
  });

  table.add({
    method: 'get',
    path: '/apps/:app/webhook-events',
    action: 'app:config:read',
    tag: 'webhooks',
    summary: "The events published to the app's webhooks, newest first (kept 7 days)",
    query: listQuery,
    response: z.array(webhookEventSchema),
    handler: async ({ app, query }) => (await listWebhookEvents(ctx.pool, app.id, query.limit)).map(eventJson),
  });

  table.add({
    method: 'get',
    path: '/apps/:app/webhook-events/:event',
    action: 'app:config:read',
    tag: 'webhooks',
    summary: 'One event, with its payload',
    params: { event: "The event's id" },
    response: webhookEventSchema,
    handler: async ({ app, params }) => {
      const e = await getWebhookEvent(ctx.pool, app.id, idParam(params, 'event'));
      if (!e) throw new AppError('not_found', 'no such event on this app');
      return eventJson(e);
    },
  });
}

import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Queue } from 'bullmq';
import { AppError, type EgressGuard, type Logger, type SecretBox } from '@paas/shared';
import { webhookEntities, type WebhookEntity } from '@paas/shared/api-contract';
import {
  deleteWebhook,
  insertEventWithDeliveries,
  insertWebhook,
  listWebhooks,
  updateWebhook,
  webhooksFor,
  type WebhookLevel,
  type WebhookRow,
} from '../db/webhooks.js';
import { webhookEgressUse } from './webhook-sender.js';

/** A webhook delivery job: the delivery's row says the rest. */
export interface WebhookJobData {
  deliveryId: string;
}

export const webhookQueueName = 'webhooks';

/** Webhooks per app at most. */
export const webhooksPerAppMax = 10;

export interface WebhookRetryPolicy {
  /** Attempts of a `sync` delivery at most (the first included). */
  syncAttempts: number;
  /** The wait before the second attempt (ms); it doubles with each attempt after. */
  retryBaseMs: number;
}

export interface WebhookServiceOptions {
  pool: pg.Pool;
  queue: Queue<WebhookJobData>;
  /** Seals the secret and the Authorization value (the platform's SecretBox), bound to the webhook's id. */
  cipher: SecretBox;
  guard: EgressGuard;
  retry: WebhookRetryPolicy;
  log: Logger;
}

export interface WebhookInput {
  url: string;
  level: WebhookLevel;
  include: string[];
  secret?: string | undefined;
  authorization?: string | null | undefined;
}

/** Who made a change, as Heroku's payloads name them. */
export interface EventActor {
  id: string | null;
  email: string | null;
}

export interface PublishedEvent {
  app: { id: string; name: string };
  entity: WebhookEntity;
  action: 'create' | 'update' | 'destroy';
  data: Record<string, unknown>;
  previousData?: Record<string, unknown>;
  actor?: EventActor | null;
}

/** What the places that make releases and builds are given to announce them (WebhookService.publish). */
export type WebhookPublisher = (e: PublishedEvent) => Promise<void>;

export const apiVersion = 'application/vnd.heroku+json; version=3';

/** The context a sealed value is bound to: a copy moved to another webhook does not open. */
export const sealContext = (webhookId: string, what: 'secret' | 'authorization'): string => `webhook:${webhookId}:${what}`;

/**
 * App webhooks as Heroku's: subscriptions (create, update, remove) and the events the platform
 * publishes to them. Publishing records the event and a delivery per subscribed webhook in
 * PostgreSQL, then queues each delivery in BullMQ (its own queue): `notify` gets one attempt,
 * `sync` retries with exponential backoff up to `retry.syncAttempts`.
 */
export class WebhookService {
  constructor(private readonly o: WebhookServiceOptions) {}

  async create(appId: string, input: WebhookInput): Promise<{ webhook: WebhookRow; secret: string }> {
    await this.checkUrl(input.url);
    const include = checkInclude(input.include);
    if ((await listWebhooks(this.o.pool, appId)).length >= webhooksPerAppMax) {
      throw new AppError('limit_exceeded', `an app has at most ${webhooksPerAppMax} webhooks: remove one first`);
    }
    const id = randomUUID();
    const secret = input.secret ?? randomBytes(32).toString('hex');
    const webhook = await insertWebhook(this.o.pool, {
      id,
      appId,
      url: input.url,
      level: input.level,
      include,
      secretSealed: this.o.cipher.encrypt(secret, sealContext(id, 'secret')),
      authorizationSealed: input.authorization ? this.o.cipher.encrypt(input.authorization, sealContext(id, 'authorization')) : null,
    });
    return { webhook, secret };
  }

  async update(appId: string, id: string, patch: Partial<WebhookInput>): Promise<WebhookRow> {
    if (patch.url !== undefined) await this.checkUrl(patch.url);
    const updated = await updateWebhook(this.o.pool, appId, id, {
      url: patch.url,
      level: patch.level,
      include: patch.include === undefined ? undefined : checkInclude(patch.include),
      secretSealed: patch.secret === undefined ? undefined : this.o.cipher.encrypt(patch.secret, sealContext(id, 'secret')),
      authorizationSealed: patch.authorization === undefined ? undefined : patch.authorization === null ? null : this.o.cipher.encrypt(patch.authorization, sealContext(id, 'authorization')),
    });
    if (!updated) throw notFound(id);
    return updated;
  }

  async remove(appId: string, id: string): Promise<WebhookRow> {
    const gone = await deleteWebhook(this.o.pool, appId, id);
    if (!gone) throw notFound(id);
    return gone;
  }

  /**
   * Announces a change to the app's webhooks subscribed to its entity. Never throws: a change that
   * happened is not undone because it could not be announced (the failure is logged).
   */
  async publish(e: PublishedEvent): Promise<void> {
    try {
      const hooks = await webhooksFor(this.o.pool, e.app.id, e.entity);
      if (hooks.length === 0) return;
      const resource = e.entity.slice('api:'.length);
      let actor = e.actor ?? { id: null, email: null };
      if (actor.id !== null && actor.email === null) {
        const { rows } = await this.o.pool.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [actor.id]);
        actor = { id: actor.id, email: rows[0]?.email ?? null };
      }
      const payload = {
        action: e.action,
        actor,
        data: e.data,
        previous_data: e.previousData ?? {},
        resource,
        version: apiVersion,
      };
      const { deliveries } = await insertEventWithDeliveries(this.o.pool, e.app.id, e.entity, payload, hooks.map((h) => h.id));
      const levels = new Map(hooks.map((h) => [h.id, h.level]));
      await this.o.queue.addBulk(
        deliveries.map((d) => ({
          name: 'deliver',
          data: { deliveryId: d.id },
          opts: {
            jobId: d.id,
            attempts: levels.get(d.webhookId) === 'sync' ? this.o.retry.syncAttempts : 1,
            backoff: { type: 'exponential', delay: this.o.retry.retryBaseMs },
            removeOnComplete: 1000,
            removeOnFail: 1000,
          },
        })),
      );
    } catch (err) {
      this.o.log.error({ err, app: e.app.name, entity: e.entity }, 'could not publish a webhook event');
    }
  }

  private async checkUrl(url: string): Promise<void> {
    // Saved even when the name does not resolve now: every delivery checks it again.
    await this.o.guard.checkUrl(url, webhookEgressUse, { unresolved: 'allow' });
  }
}

function checkInclude(include: string[]): string[] {
  const unique = [...new Set(include.map((i) => i.trim()))];
  if (unique.length === 0) throw new AppError('invalid_params', `include: name at least one entity (${webhookEntities.join(', ')})`);
  for (const entity of unique) {
    if (!(webhookEntities as readonly string[]).includes(entity)) throw new AppError('invalid_params', `include: ${JSON.stringify(entity.slice(0, 50))} is not an entity (${webhookEntities.join(', ')})`);
  }
  return unique;
}

function notFound(id: string): AppError {
  return new AppError('not_found', `no webhook ${id.slice(0, 40)} on this app`);
}

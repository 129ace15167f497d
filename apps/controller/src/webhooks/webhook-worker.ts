import { createHmac, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger, SecretBox } from '@paas/shared';
import { deliveryToSend, recordDeliveryAttempt } from '../db/webhooks.js';
import { sendWebhook, type WebhookSendOptions } from './webhook-sender.js';
import { sealContext, webhookQueueName, type WebhookJobData, type WebhookRetryPolicy } from './webhook-service.js';

export interface WebhookWorkerOptions {
  pool: pg.Pool;
  /** A connection of its own (BullMQ blocks on it). */
  connection: Redis;
  prefix: string;
  cipher: SecretBox;
  send: WebhookSendOptions;
  retry: WebhookRetryPolicy;
  /** Deliveries sent at once: one slow receiver holds one slot, for its deadline at most. */
  concurrency?: number;
  log: Logger;
}

/** Heroku's signature: base64 HMAC-SHA256 of the body with the webhook's secret. */
export function signWebhookBody(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/** When the next attempt of a delivery whose `attemptsMade` attempts failed comes (BullMQ's exponential backoff). */
export function nextAttemptAt(attemptsMade: number, retry: WebhookRetryPolicy, now = Date.now()): Date {
  return new Date(now + retry.retryBaseMs * 2 ** Math.max(0, attemptsMade - 1));
}

/**
 * Sends the deliveries of the webhook queue: the body is the event as Heroku sends it, signed in
 * `Heroku-Webhook-Hmac-SHA256`, with the webhook's Authorization value when it has one. Each attempt
 * is recorded on the delivery (status, attempts, last code, next attempt). A failed `sync` attempt
 * throws so BullMQ tries again after its backoff; the last one, or a `notify`'s only one, fails it.
 */
export class WebhookWorker {
  private readonly worker: Worker<WebhookJobData>;

  constructor(private readonly o: WebhookWorkerOptions) {
    this.worker = new Worker<WebhookJobData>(webhookQueueName, (job) => this.deliver(job), {
      connection: o.connection,
      prefix: o.prefix,
      concurrency: o.concurrency ?? 16,
    });
    this.worker.on('error', (err) => o.log.warn({ err }, 'webhook worker error'));
  }

  async close(): Promise<void> {
    await this.worker.close();
  }

  private async deliver(job: Job<WebhookJobData>): Promise<void> {
    const found = await deliveryToSend(this.o.pool, job.data.deliveryId);
    if (!found) return; // the webhook or its app was removed meanwhile
    const { delivery, webhook, event } = found;
    const attemptId = randomUUID();
    const now = new Date();
    const body = Buffer.from(
      JSON.stringify({
        id: event.id,
        created_at: event.created_at.toISOString(),
        updated_at: event.updated_at.toISOString(),
        published_at: now.toISOString(),
        ...event.payload,
        sequence: null,
        webhook_metadata: {
          attempt: { id: attemptId },
          delivery: { id: delivery.id },
          event: { id: event.id, include: event.include },
          webhook: { id: webhook.id },
        },
      }),
      'utf8',
    );
    const secret = this.o.cipher.decrypt(webhook.secret_sealed, sealContext(webhook.id, 'secret'));
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'paas-webhooks',
      'heroku-webhook-hmac-sha256': signWebhookBody(secret, body),
      'heroku-webhook-id': delivery.id,
      'heroku-webhook-sent-at': now.toISOString(),
    };
    if (webhook.authorization_sealed) headers['authorization'] = this.o.cipher.decrypt(webhook.authorization_sealed, sealContext(webhook.id, 'authorization'));
    const result = await sendWebhook(webhook.url, body, headers, this.o.send);
    const attempts = job.attemptsMade + 1;
    const maxAttempts = webhook.level === 'sync' ? (job.opts.attempts ?? 1) : 1;
    const retrying = !result.ok && attempts < maxAttempts;
    await recordDeliveryAttempt(this.o.pool, delivery.id, {
      attemptId,
      status: result.ok ? 'succeeded' : retrying ? 'retrying' : 'failed',
      code: result.code,
      error: result.error,
      nextAttemptAt: retrying ? nextAttemptAt(attempts, this.o.retry) : null,
    });
    if (!result.ok) this.o.log.info({ app: delivery.app_id, webhook: webhook.id, delivery: delivery.id, attempts, code: result.code, error: result.error }, 'webhook delivery failed');
    if (retrying) throw new Error(result.error ?? 'delivery failed');
  }
}

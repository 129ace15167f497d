import type pg from 'pg';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EgressGuard, Logger, RedisKeys, SecretBox } from '@paas/shared';
import type { AuditLog } from '../auth/audit-log.js';
import { announceAuditedChanges } from './audit-announcer.js';
import { WebhookService, webhookQueueName, type WebhookJobData, type WebhookRetryPolicy } from './webhook-service.js';
import { WebhookWorker } from './webhook-worker.js';

export interface WebhookSettings extends WebhookRetryPolicy {
  /** One delivery attempt ends by then (ms). */
  timeoutMs: number;
}

export interface Webhooks {
  service: WebhookService;
  close(): Promise<void>;
}

/**
 * App webhooks wired: the service (API and publishing), its BullMQ queue and the worker that sends
 * deliveries (on every controller: BullMQ hands each delivery to one), and the audit log's
 * committed changes announced through it.
 */
export function createWebhooks(o: {
  pool: pg.Pool;
  redis: Redis;
  keys: RedisKeys;
  cipher: SecretBox;
  guard: EgressGuard;
  audit: AuditLog;
  settings: WebhookSettings;
  /** Extra CA certificates receivers are trusted with (PAAS_DRAIN_CA_FILE). */
  ca?: Buffer | undefined;
  log: Logger;
}): Webhooks {
  const log = o.log.child({ component: 'webhooks' });
  const queue = new Queue<WebhookJobData>(webhookQueueName, { connection: o.redis, prefix: o.keys.bull });
  const service = new WebhookService({ pool: o.pool, queue, cipher: o.cipher, guard: o.guard, retry: o.settings, log });
  const connection = o.redis.duplicate({ maxRetriesPerRequest: null });
  const worker = new WebhookWorker({
    pool: o.pool,
    connection,
    prefix: o.keys.bull,
    cipher: o.cipher,
    send: { guard: o.guard, ca: o.ca, timeoutMs: o.settings.timeoutMs },
    retry: o.settings,
    log,
  });
  o.audit.onRecorded(announceAuditedChanges(o.pool, service));
  return {
    service,
    async close() {
      await worker.close();
      await queue.close();
      connection.disconnect();
    },
  };
}

import type pg from 'pg';
import type { AuditAction, AuditEntry } from '../auth/audit-log.js';
import { findAppByName } from '../db/apps.js';
import type { PublishedEvent, WebhookService } from './webhook-service.js';

type Mapped = Pick<PublishedEvent, 'entity' | 'action'>;

/**
 * The changes the audit log records that are webhook events, as Heroku names them. Releases and
 * builds are announced where they are made (ReleaseService, PushService), with their own data.
 */
const eventOfAction: Partial<Record<AuditAction, Mapped>> = {
  'app.create': { entity: 'api:app', action: 'create' },
  'app.maintenance': { entity: 'api:app', action: 'update' },
  'app.rename': { entity: 'api:app', action: 'update' },
  'buildpacks.update': { entity: 'api:app', action: 'update' },
  'formation.update': { entity: 'api:formation', action: 'update' },
  'process.restart': { entity: 'api:dyno', action: 'update' },
  'process.stop': { entity: 'api:dyno', action: 'destroy' },
  'process.run': { entity: 'api:dyno', action: 'create' },
  'domain.add': { entity: 'api:domain', action: 'create' },
  'domain.remove': { entity: 'api:domain', action: 'destroy' },
  'addon.create': { entity: 'api:addon', action: 'create' },
  'addon.destroy': { entity: 'api:addon', action: 'destroy' },
  'addon.attach': { entity: 'api:addon', action: 'update' },
  'addon.detach': { entity: 'api:addon', action: 'update' },
  'addon.rotate': { entity: 'api:addon', action: 'update' },
  'addon.restore': { entity: 'api:addon', action: 'update' },
};

/** Which webhook event an audit entry is, if any. */
export function webhookEventOf(entry: AuditEntry): Mapped | undefined {
  if (!entry.app) return undefined;
  // A refused change changed nothing.
  const result = entry.details?.['result'];
  if (result !== undefined && result !== 'succeeded') return undefined;
  return eventOfAction[entry.action];
}

/**
 * Publishes the audit log's committed changes as webhook events (AuditLog.onRecorded: the one place
 * changes are announced from). `data` is the app and what the audit entry records of the change.
 */
export function announceAuditedChanges(pool: pg.Pool, webhooks: WebhookService): (entry: AuditEntry) => void {
  return (entry) => {
    const mapped = webhookEventOf(entry);
    if (!mapped || !entry.app) return;
    void (async () => {
      const app = await findAppByName(pool, entry.app!);
      if (!app) return;
      const appRef = { id: app.id, name: app.name };
      await webhooks.publish({
        app: appRef,
        ...mapped,
        data: { app: appRef, ...(mapped.entity === 'api:app' ? { id: app.id, name: app.name, created_at: app.created_at.toISOString() } : {}), ...(entry.details ?? {}) },
        actor: entry.actor ? { id: entry.actor.id, email: entry.actor.email } : null,
      });
    })().catch(() => undefined);
  };
}

import type { Logger } from '@paas/shared';
import { insertAuditEvent, listAuditEvents, type AuditEventRow, type AuditFilter } from '../db/audit-events.js';
import { afterCommit, type Queryable } from '../db/queryable.js';

/** Every action the audit log records. Config changes carry keys only, never values. */
export type AuditAction =
  | 'session.create'
  | 'session.revoke'
  | 'authorization.create'
  | 'authorization.revoke'
  | 'app.create'
  | 'app.destroy'
  | 'app.rename'
  | 'config.update'
  | 'formation.update'
  | 'deploy'
  | 'collaborator.add'
  | 'collaborator.remove'
  | 'user.create'
  | 'user.disable'
  | 'user.role'
  | 'user.enable'
  | 'quota.update'
  | 'drain.add'
  | 'drain.remove'
  | 'domain.add'
  | 'domain.remove'
  | 'cert.add'
  | 'cert.remove'
  | 'router.update'
  | 'network.allow'
  | 'network.deny'
  | 'hardening.update'
  | 'app.maintenance'
  | 'app.stack'
  | 'process.restart'
  | 'process.stop'
  | 'process.run'
  | 'host.add'
  | 'host.drain'
  | 'host.undrain'
  | 'host.remove'
  | 'host.provision'
  | 'host.rotate_certs'
  | 'host.deprovision'
  | 'host.env'
  | 'buildpacks.update'
  | 'addon.create'
  | 'addon.destroy'
  | 'addon.attach'
  | 'addon.detach'
  | 'addon.rotate'
  | 'addon.restore'
  | 'vulns.policy'
  | 'vulns.allow'
  | 'vulns.disallow'
  | 'vulndb.import'
  | 'addon_server.add'
  | 'addon_server.remove'
  | 'volume.create'
  | 'volume.destroy'
  | 'acm.enable'
  | 'acm.disable'
  | 'build_cache.purge';

export interface AuditActor {
  id: string;
  email: string;
}

export interface AuditEntry {
  actor: AuditActor | null;
  ip?: string | undefined;
  action: AuditAction;
  app?: string | undefined;
  targetUser?: string | undefined;
  details?: Record<string, unknown>;
}

/**
 * Who did what to which app or user, when and from where. Given the transaction of the change (`db`),
 * the event commits or rolls back with it; otherwise recording is best-effort after the fact: a
 * failure is logged for operators and never fails the action that already happened.
 */
export class AuditLog {
  private readonly listeners: ((entry: AuditEntry) => void)[] = [];

  constructor(
    private readonly db: Queryable,
    private readonly log: Logger,
  ) {}

  /**
   * Called with every change recorded, once it is committed (after the transaction given to
   * `record`, if any): the one place changes are announced from (app webhooks).
   */
  onRecorded(listener: (entry: AuditEntry) => void): void {
    this.listeners.push(listener);
  }

  /** Tells the listeners of a change whose audit event was written with it in a batch of SQL (scaling): call after its COMMIT. */
  announce(entry: AuditEntry): void {
    for (const listener of this.listeners) listener(entry);
  }

  async record(entry: AuditEntry, db?: Queryable): Promise<void> {
    if (this.listeners.length > 0) afterCommit(db ?? this.db, () => this.announce(entry));
    try {
      await insertAuditEvent(db ?? this.db, {
        actorId: entry.actor?.id ?? null,
        actorEmail: entry.actor?.email ?? null,
        action: entry.action,
        app: entry.app ?? null,
        targetUser: entry.targetUser ?? null,
        ip: entry.ip ?? null,
        details: entry.details ?? {},
      });
    } catch (err) {
      if (db) throw err;
      this.log.error({ err, action: entry.action, app: entry.app }, 'could not record an audit event');
    }
  }

  list(filter: AuditFilter): Promise<AuditEventRow[]> {
    return listAuditEvents(this.db, filter);
  }
}

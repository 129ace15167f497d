import type pg from 'pg';
import { AppError, toError, type Logger } from '@paas/shared';
import type { AuditLog } from '../auth/audit-log.js';
import { findAppByName, type AppRow } from '../db/apps.js';
import { allAllowedSources, allowSource, denySource, listAllowedSources, type InternalAccessRow } from '../db/internal-access.js';
import { inTransaction } from '../db/queryable.js';

/** Where the routers read who may reach whom (RedisInternalAccess). */
export interface InternalAccessPublisher {
  setAllowed(target: string, sources: string[]): Promise<void>;
  replaceAllowed(allowed: Record<string, string[]>): Promise<void>;
  removeApp(app: string): Promise<void>;
}

export interface Requester {
  actor: { id: string; email: string } | null;
  ip: string | undefined;
}

/**
 * `paas network:allow SOURCE -a TARGET`, `network:deny`, `network`: which apps may call a target at
 * its internal name. Desired state in PostgreSQL (the change and its audit event commit together),
 * then published to the routers, which refuse every source not listed, also the owner's own other
 * apps. main.ts publishes the whole table at start and every reconcile interval.
 */
export class InternalAccessService {
  constructor(
    private readonly o: { pool: pg.Pool; publisher: InternalAccessPublisher; audit: AuditLog; log: Logger; internalDomain: string },
  ) {}

  list(target: AppRow): Promise<InternalAccessRow[]> {
    return listAllowedSources(this.o.pool, target.id);
  }

  async allow(target: AppRow, sourceName: string, by: Requester): Promise<InternalAccessRow[]> {
    const source = await this.sourceApp(target, sourceName);
    await inTransaction(this.o.pool, async (tx) => {
      if (await allowSource(tx, target.id, source.id, by.actor!.id)) {
        await this.o.audit.record({ ...by, action: 'network.allow', app: target.name, details: { source: source.name } }, tx);
      }
    });
    return this.publish(target);
  }

  async deny(target: AppRow, sourceName: string, by: Requester): Promise<InternalAccessRow[]> {
    const source = await this.sourceApp(target, sourceName);
    const removed = await inTransaction(this.o.pool, async (tx) => {
      const gone = await denySource(tx, target.id, source.id);
      if (gone) await this.o.audit.record({ ...by, action: 'network.deny', app: target.name, details: { source: source.name } }, tx);
      return gone;
    });
    if (!removed) throw new AppError('not_found', `${source.name} is not allowed to reach ${target.name}.${this.o.internalDomain}: nothing to deny`);
    return this.publish(target);
  }

  /** Every target's sources to the routers (at start and on a timer: Redis may have lost them). */
  async publishAll(): Promise<void> {
    await this.o.publisher.replaceAllowed(await allAllowedSources(this.o.pool));
  }

  /** An app gone: the routers forget its networks and what it allowed (its rows went with it). */
  async forget(app: string): Promise<void> {
    await this.o.publisher.removeApp(app).catch((err: unknown) => this.o.log.warn({ err: toError(err), app }, 'could not remove the app from the internal access table'));
    await this.publishAll().catch(() => undefined);
  }

  private async publish(target: AppRow): Promise<InternalAccessRow[]> {
    const rows = await this.list(target);
    await this.o.publisher.setAllowed(
      target.name,
      rows.map((r) => r.source),
    );
    return rows;
  }

  /** The source named: any app of the platform (its name is all its owner has to give), never the target itself. */
  private async sourceApp(target: AppRow, name: string): Promise<AppRow> {
    if (name === target.name) throw new AppError('invalid_params', `${name} is the app itself: its processes reach each other on its own network`);
    const source = await findAppByName(this.o.pool, name);
    if (!source) throw new AppError('app_not_found', `no app named ${name}`);
    return source;
  }
}

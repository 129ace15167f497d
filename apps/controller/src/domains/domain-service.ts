import { createHash } from 'node:crypto';
import type pg from 'pg';
import { AppError, hostnameRule, isValidHostname, normalizeHostname } from '@paas/shared';
import { lockAppRow, type AppRow } from '../db/apps.js';
import { deleteDomain, insertDomain, listDomains } from '../db/domains.js';
import { inTransaction, isUniqueViolation, type Queryable } from '../db/queryable.js';
import { domainsPerAppMax } from '../api/input-limits.js';
import { isPlatformName } from './domain-ownership.js';

/** A domain as the API shows it (Heroku's shape). */
export interface DomainJson {
  id: string;
  hostname: string;
  /** `default`: `<app>.<PAAS_DOMAIN>`, always there; `custom`: added with `paas domains:add`. */
  kind: 'default' | 'custom';
  /** Where a custom domain's DNS should point (a CNAME to the app's default hostname); null for the default. */
  cname: string | null;
  created_at: Date;
}

export interface DomainServiceOptions {
  pool: pg.Pool;
  /** PAAS_DOMAIN: apps' default hostnames live under it, and custom domains may not. */
  platformDomain: string;
  /** Publishes the app's route again (with its domains as they now are). */
  republish: (app: AppRow) => Promise<void>;
}

/**
 * Custom domains: hostnames (or `*.` wildcards) that reach an app besides `<app>.<PAAS_DOMAIN>`. A
 * hostname belongs to one app at most; names under the platform domain are the platform's. Every
 * change republishes the app's route, so the routers serve it by the time the call returns.
 */
export class DomainService {
  constructor(private readonly o: DomainServiceOptions) {}

  defaultHostname(app: Pick<AppRow, 'name'>): string {
    return `${app.name}.${this.o.platformDomain}`;
  }

  async list(app: AppRow): Promise<DomainJson[]> {
    const custom = await listDomains(this.o.pool, app.id);
    const target = this.defaultHostname(app);
    return [
      { id: idOf(target), hostname: target, kind: 'default', cname: null, created_at: app.created_at },
      ...custom.map((d) => ({ id: d.id, hostname: d.hostname, kind: 'custom' as const, cname: target, created_at: d.created_at })),
    ];
  }

  /**
   * Adds a custom domain: at most `domainsPerAppMax` per app (422 limit_exceeded), counted under the
   * app's row lock. `record` (the audit event) runs in the same transaction: no domain without it.
   */
  async add(app: AppRow, input: string, record?: (tx: Queryable, hostname: string) => Promise<void>): Promise<DomainJson> {
    const hostname = normalizeHostname(input);
    if (!isValidHostname(hostname)) throw new AppError('invalid_params', `hostname: ${hostnameRule}`, { details: { field: 'hostname' } });
    const platform = this.o.platformDomain;
    if (isPlatformName(hostname, platform)) {
      throw new AppError('invalid_params', `hostname: names under the platform domain ${platform} are the platform's (apps get <app>.${platform} by default)`, {
        details: { field: 'hostname' },
      });
    }
    let row;
    try {
      row = await inTransaction(this.o.pool, async (tx) => {
        await lockAppRow(tx, app.id);
        if ((await listDomains(tx, app.id)).length >= domainsPerAppMax) {
          throw new AppError('limit_exceeded', `${app.name} has ${domainsPerAppMax} custom domains already, the most an app may have`, {
            details: { limit: 'domains', max: domainsPerAppMax },
          });
        }
        const inserted = await insertDomain(tx, app.id, hostname);
        await record?.(tx, inserted.hostname);
        return inserted;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('name_taken', `${hostname} is already a domain of an app`, { details: { field: 'hostname' } });
      throw err;
    }
    await this.o.republish(app);
    return { id: row.id, hostname: row.hostname, kind: 'custom', cname: this.defaultHostname(app), created_at: row.created_at };
  }

  async remove(app: AppRow, hostnameOrId: string): Promise<DomainJson> {
    const row = await deleteDomain(this.o.pool, app.id, normalizeHostname(hostnameOrId));
    if (!row) {
      const isDefault = normalizeHostname(hostnameOrId) === this.defaultHostname(app);
      throw isDefault
        ? new AppError('invalid_params', `${hostnameOrId} is the app's default domain; it cannot be removed`)
        : new AppError('not_found', `${app.name} has no domain ${hostnameOrId}`);
    }
    await this.o.republish(app);
    return { id: row.id, hostname: row.hostname, kind: 'custom', cname: this.defaultHostname(app), created_at: row.created_at };
  }
}

/** A stable UUID-shaped id for a default hostname (it has no row of its own). */
function idOf(hostname: string): string {
  const h = createHash('sha256').update(`paas default domain ${hostname}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

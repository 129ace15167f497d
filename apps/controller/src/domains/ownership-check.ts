import type { Logger } from '@paas/shared';
import { listAllCerts } from '../db/certs.js';
import { listAllDomains } from '../db/domains.js';
import type { Queryable } from '../db/queryable.js';
import { foreignCertName, isPlatformName } from './domain-ownership.js';

/** A stored domain or certificate that breaks the ownership rules (see domain-ownership.ts). */
export interface OwnershipViolation {
  kind: 'domain' | 'certificate';
  /** The domain's or the certificate's id. */
  id: string;
  app: string;
  /** The offending hostname. */
  name: string;
  reason: string;
}

/**
 * Finds the rows stored before the ownership rules (or before PAAS_DOMAIN changed) that break them:
 * custom domains under the platform domain, and certificates naming what their app does not hold.
 * One hostname per app is already the schema's (domains.hostname is UNIQUE). Reads only: the routers
 * serve an app's certificates only for that app's hosts, so such rows grant nothing; the operator
 * removes them (`paas domains:remove`, `paas certs:remove`).
 */
export async function findOwnershipViolations(db: Queryable, platformDomain: string): Promise<OwnershipViolation[]> {
  const domains = await listAllDomains(db);
  const certs = await listAllCerts(db);
  const violations: OwnershipViolation[] = [];
  const byApp = new Map<string, string[]>();
  const holder = new Map<string, string>();
  for (const d of domains) {
    byApp.set(d.app_id, [...(byApp.get(d.app_id) ?? []), d.hostname]);
    holder.set(d.hostname, d.app_id);
    if (isPlatformName(d.hostname, platformDomain)) {
      violations.push({ kind: 'domain', id: d.id, app: d.app, name: d.hostname, reason: `under the platform domain ${platformDomain}` });
    }
  }
  for (const c of certs) {
    const own = { app: c.app, defaultHostname: `${c.app}.${platformDomain}`, domains: byApp.get(c.app_id) ?? [] };
    const elsewhere = new Set(c.names.filter((n) => holder.has(n) && holder.get(n) !== c.app_id));
    for (const name of c.names) {
      const reason = foreignCertName(name, own, platformDomain, elsewhere);
      if (reason) violations.push({ kind: 'certificate', id: c.id, app: c.app, name, reason });
    }
  }
  return violations;
}

/** Logs each violation (a warning the operator acts on); returns how many there were. */
export async function reportOwnershipViolations(db: Queryable, platformDomain: string, log: Logger): Promise<number> {
  const violations = await findOwnershipViolations(db, platformDomain);
  for (const v of violations) {
    log.warn({ app: v.app, [v.kind === 'domain' ? 'domain' : 'cert']: v.id, name: v.name, reason: v.reason }, `a stored ${v.kind} breaks the ownership rules: remove it`);
  }
  return violations.length;
}

import type { AllowEntry, VulnPolicy } from '../vulns/vuln-policy.js';
import type { Queryable } from './queryable.js';

/** The app's own release policy, or undefined (the platform's applies). */
export async function getAppVulnPolicy(db: Queryable, appId: string): Promise<VulnPolicy | undefined> {
  const { rows } = await db.query<VulnPolicy>('SELECT action, severity FROM vuln_policies WHERE app_id = $1', [appId]);
  return rows[0];
}

export async function setAppVulnPolicy(db: Queryable, appId: string, p: VulnPolicy): Promise<void> {
  await db.query(
    `INSERT INTO vuln_policies (app_id, action, severity) VALUES ($1, $2, $3)
     ON CONFLICT (app_id) DO UPDATE SET action = EXCLUDED.action, severity = EXCLUDED.severity, updated_at = now()`,
    [appId, p.action, p.severity],
  );
}

export async function clearAppVulnPolicy(db: Queryable, appId: string): Promise<void> {
  await db.query('DELETE FROM vuln_policies WHERE app_id = $1', [appId]);
}

export async function listAllowed(db: Queryable, appId: string): Promise<AllowEntry[]> {
  const { rows } = await db.query<AllowEntry>('SELECT advisory_id, expires_at, reason FROM vuln_allowlist WHERE app_id = $1 ORDER BY advisory_id', [appId]);
  return rows;
}

/** Allow-list entries an app may have at most. */
export const maxAllowed = 500;

/** Adds or renews an entry; false when the app is at its limit. */
export async function allowAdvisory(db: Queryable, appId: string, e: AllowEntry): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO vuln_allowlist (app_id, advisory_id, expires_at, reason)
     SELECT $1, $2, $3, $4 WHERE (SELECT count(*) FROM vuln_allowlist WHERE app_id = $1 AND advisory_id <> $2) < $5
     ON CONFLICT (app_id, advisory_id) DO UPDATE SET expires_at = EXCLUDED.expires_at, reason = EXCLUDED.reason`,
    [appId, e.advisory_id, e.expires_at, e.reason, maxAllowed],
  );
  return (rowCount ?? 0) > 0;
}

export async function disallowAdvisory(db: Queryable, appId: string, advisoryId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM vuln_allowlist WHERE app_id = $1 AND advisory_id = $2', [appId, advisoryId]);
  return (rowCount ?? 0) > 0;
}

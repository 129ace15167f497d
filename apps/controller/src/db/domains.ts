import type { Queryable } from './queryable.js';

export interface DomainRow {
  id: string;
  app_id: string;
  hostname: string;
  created_at: Date;
}

export async function insertDomain(db: Queryable, appId: string, hostname: string): Promise<DomainRow> {
  const { rows } = await db.query<DomainRow>(
    'INSERT INTO domains (app_id, hostname) VALUES ($1, $2) RETURNING id, app_id, hostname, created_at',
    [appId, hostname],
  );
  return rows[0]!;
}

export async function listDomains(db: Queryable, appId: string): Promise<DomainRow[]> {
  const { rows } = await db.query<DomainRow>('SELECT id, app_id, hostname, created_at FROM domains WHERE app_id = $1 ORDER BY hostname', [appId]);
  return rows;
}

/** Removes one of the app's domains by hostname or id; returns it, or undefined when the app has no such domain. */
export async function deleteDomain(db: Queryable, appId: string, hostnameOrId: string): Promise<DomainRow | undefined> {
  const { rows } = await db.query<DomainRow>(
    `DELETE FROM domains WHERE app_id = $1 AND (hostname = $2 OR id::text = $2) RETURNING id, app_id, hostname, created_at`,
    [appId, hostnameOrId],
  );
  return rows[0];
}

/** The custom hostnames of an app, by the app's name (for its route). */
export async function hostnamesOfApp(db: Queryable, appName: string): Promise<string[]> {
  const { rows } = await db.query<{ hostname: string }>(
    'SELECT d.hostname FROM domains d JOIN apps a ON a.id = d.app_id WHERE a.name = $1 ORDER BY d.hostname',
    [appName],
  );
  return rows.map((r) => r.hostname);
}

/** Which of `hostnames` are domains of an app other than `appId`. */
export async function hostnamesHeldElsewhere(db: Queryable, appId: string, hostnames: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ hostname: string }>('SELECT hostname FROM domains WHERE hostname = ANY($1) AND app_id <> $2', [hostnames, appId]);
  return new Set(rows.map((r) => r.hostname));
}

/** Every custom domain, with its app's name (for the ownership check at start). */
export async function listAllDomains(db: Queryable): Promise<Array<DomainRow & { app: string }>> {
  const { rows } = await db.query<DomainRow & { app: string }>(
    'SELECT d.id, d.app_id, a.name AS app, d.hostname, d.created_at FROM domains d JOIN apps a ON a.id = d.app_id ORDER BY d.hostname',
  );
  return rows;
}

import type { Queryable } from './queryable.js';

/** One source allowed to reach a target by its internal name (migrations/035_internal_access.sql). */
export interface InternalAccessRow {
  source: string;
  created_at: Date;
  created_by: string | null;
}

/** The sources allowed to reach a target app, by name. */
export async function listAllowedSources(db: Queryable, targetAppId: string): Promise<InternalAccessRow[]> {
  const { rows } = await db.query<InternalAccessRow>(
    `SELECT s.name AS source, ia.created_at, u.email AS created_by
       FROM internal_access ia JOIN apps s ON s.id = ia.source_app_id LEFT JOIN users u ON u.id = ia.created_by
      WHERE ia.target_app_id = $1 ORDER BY s.name`,
    [targetAppId],
  );
  return rows;
}

/** Allows a source (idempotent); returns whether the row is new. */
export async function allowSource(db: Queryable, targetAppId: string, sourceAppId: string, userId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO internal_access (target_app_id, source_app_id, created_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [targetAppId, sourceAppId, userId],
  );
  return (rowCount ?? 0) > 0;
}

/** Removes a source's access; returns whether it had any. */
export async function denySource(db: Queryable, targetAppId: string, sourceAppId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM internal_access WHERE target_app_id = $1 AND source_app_id = $2', [targetAppId, sourceAppId]);
  return (rowCount ?? 0) > 0;
}

/** Every target's sources, by name (the routers' table). */
export async function allAllowedSources(db: Queryable): Promise<Record<string, string[]>> {
  const { rows } = await db.query<{ target: string; sources: string[] }>(
    `SELECT t.name AS target, array_agg(s.name ORDER BY s.name) AS sources
       FROM internal_access ia JOIN apps t ON t.id = ia.target_app_id JOIN apps s ON s.id = ia.source_app_id
      GROUP BY t.name`,
  );
  return Object.fromEntries(rows.map((r) => [r.target, r.sources]));
}

/**
 * The internal names an app's containers resolve (their /etc/hosts): the apps that allow it, and its
 * owner's other apps (not allowed by default: they answer 403 saying how to allow them).
 */
export async function internalNamesFor(db: Queryable, app: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT t.name FROM apps s JOIN internal_access ia ON ia.source_app_id = s.id JOIN apps t ON t.id = ia.target_app_id WHERE s.name = $1
     UNION
     SELECT o.name FROM apps s JOIN apps o ON o.owner_id = s.owner_id AND o.id <> s.id WHERE s.name = $1
     ORDER BY 1 LIMIT 500`,
    [app],
  );
  return rows.map((r) => r.name);
}

import type { StackName } from '@paas/shared';
import type { Queryable } from './queryable.js';

export interface AppRow {
  id: string;
  name: string;
  owner_id: string;
  owner_email: string;
  buildpacks: string[];
  created_at: Date;
  current_release: number | null;
  /** Maintenance mode (`paas maintenance:on`). */
  maintenance: boolean;
  /** The stack its next build uses (`paas stack:set`). */
  build_stack: StackName;
  /** The stack its current release was built on (build_stack before a build has). */
  stack: StackName;
}

const select = `SELECT a.id, a.name, a.owner_id, u.email AS owner_email, a.buildpacks, a.created_at,
  (SELECT max(r.version) FROM releases r WHERE r.app_id = a.id AND r.status = 'succeeded') AS current_release,
  coalesce((SELECT s.maintenance FROM app_router_settings s WHERE s.app_id = a.id), false) AS maintenance,
  a.stack AS build_stack,
  coalesce((SELECT coalesce(b.stack, 'bookworm') FROM releases r JOIN builds b ON b.id = r.build_id
    WHERE r.app_id = a.id AND r.status = 'succeeded' ORDER BY r.version DESC LIMIT 1), a.stack) AS stack
  FROM apps a JOIN users u ON u.id = a.owner_id`;

export async function insertApp(db: Queryable, name: string, ownerId: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>('INSERT INTO apps (name, owner_id) VALUES ($1, $2) RETURNING id', [
    name,
    ownerId,
  ]);
  return rows[0]!.id;
}

export async function findAppByName(db: Queryable, name: string): Promise<AppRow | undefined> {
  const { rows } = await db.query<AppRow>(`${select} WHERE a.name = $1`, [name]);
  return rows[0];
}

export async function findAppById(db: Queryable, id: string): Promise<AppRow | undefined> {
  const { rows } = await db.query<AppRow>(`${select} WHERE a.id = $1`, [id]);
  return rows[0];
}

export type AppRelation = 'owner' | 'collaborator' | 'none';

/** SQL of the app named `name` (an SQL expression) with how `userId` (another) relates to it, as `relation`. */
export const appForUserSql = (name: string, userId: string): string =>
  `SELECT * FROM (${select} WHERE a.name = ${name}) app,
       LATERAL (SELECT CASE WHEN app.owner_id = ${userId} THEN 'owner'
         WHEN EXISTS (SELECT 1 FROM collaborators c WHERE c.app_id = app.id AND c.user_id = ${userId}) THEN 'collaborator'
         ELSE 'none' END AS relation) rel`;

/** The app and how `userId` relates to it (owner, collaborator or none). */
export async function findAppForUser(
  db: Queryable,
  name: string,
  userId: string,
): Promise<(AppRow & { relation: AppRelation }) | undefined> {
  const { rows } = await db.query<AppRow & { relation: AppRelation }>(appForUserSql('$1', '$2'), [name, userId]);
  return rows[0];
}

/** Apps a user may see (their own and those they collaborate on; all of them for an admin), by name, after `after`. */
export async function listApps(
  db: Queryable,
  user: { id: string; role: string },
  page: { limit: number; after?: string | undefined } = { limit: 1000 },
): Promise<AppRow[]> {
  const { rows } = await db.query<AppRow>(
    `${select}
      WHERE ($1::boolean OR a.owner_id = $2 OR EXISTS (SELECT 1 FROM collaborators c WHERE c.app_id = a.id AND c.user_id = $2))
        AND ($3::text IS NULL OR a.name > $3)
      ORDER BY a.name LIMIT $4`,
    [user.role === 'admin', user.id, page.after ?? null, page.limit],
  );
  return rows;
}

export async function listAllApps(db: Queryable): Promise<AppRow[]> {
  const { rows } = await db.query<AppRow>(`${select} ORDER BY a.name`);
  return rows;
}

export async function deleteApp(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM apps WHERE id = $1', [id]);
}

/** Sets the stack the app's next build uses. */
export async function setAppStack(db: Queryable, appId: string, stack: StackName): Promise<void> {
  await db.query('UPDATE apps SET stack = $2 WHERE id = $1', [appId, stack]);
}

/** Allocates the app's next release version atomically. */
export async function nextReleaseVersion(db: Queryable, appId: string): Promise<number> {
  const { rows } = await db.query<{ release_seq: number }>(
    'UPDATE apps SET release_seq = release_seq + 1 WHERE id = $1 RETURNING release_seq',
    [appId],
  );
  return rows[0]!.release_seq;
}

/**
 * Locks the app's row until the transaction ends: changes counted against a per-app limit (domains,
 * collaborators, config vars) are then serialised per app.
 */
export async function lockAppRow(tx: Queryable, appId: string): Promise<void> {
  await tx.query('SELECT 1 FROM apps WHERE id = $1 FOR UPDATE', [appId]);
}

import type { Queryable } from './queryable.js';

export interface AppRow {
  id: string;
  name: string;
  owner_id: string;
  owner_email: string;
  buildpacks: string[];
  created_at: Date;
  current_release: number | null;
}

const select = `SELECT a.id, a.name, a.owner_id, u.email AS owner_email, a.buildpacks, a.created_at,
  (SELECT max(r.version) FROM releases r WHERE r.app_id = a.id AND r.status = 'succeeded') AS current_release
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

/** Apps a user may see: their own, or all of them for an admin. */
export async function listApps(db: Queryable, user: { id: string; role: string }): Promise<AppRow[]> {
  const { rows } =
    user.role === 'admin'
      ? await db.query<AppRow>(`${select} ORDER BY a.name`)
      : await db.query<AppRow>(`${select} WHERE a.owner_id = $1 ORDER BY a.name`, [user.id]);
  return rows;
}

export async function listAllApps(db: Queryable): Promise<AppRow[]> {
  const { rows } = await db.query<AppRow>(`${select} ORDER BY a.name`);
  return rows;
}

export async function deleteApp(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM apps WHERE id = $1', [id]);
}

/** Allocates the app's next release version atomically. */
export async function nextReleaseVersion(db: Queryable, appId: string): Promise<number> {
  const { rows } = await db.query<{ release_seq: number }>(
    'UPDATE apps SET release_seq = release_seq + 1 WHERE id = $1 RETURNING release_seq',
    [appId],
  );
  return rows[0]!.release_seq;
}

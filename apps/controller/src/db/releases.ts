import type { ProcessTypes } from '@paas/shared';
import type { Queryable } from './queryable.js';

export type ReleaseStatus = 'pending' | 'succeeded' | 'failed';

export interface ReleaseRow {
  id: string;
  app_id: string;
  version: number;
  build_id: string | null;
  image: string;
  config: Record<string, string>;
  process_types: ProcessTypes;
  description: string;
  user_id: string | null;
  user_email: string | null;
  status: ReleaseStatus;
  created_at: Date;
}

const select = `SELECT r.id, r.app_id, r.version, r.build_id, r.image, r.config, r.process_types, r.description,
  r.user_id, u.email AS user_email, r.status, r.created_at
  FROM releases r LEFT JOIN users u ON u.id = r.user_id`;

export interface NewRelease {
  appId: string;
  version: number;
  buildId: string | null;
  image: string;
  config: Record<string, string>;
  processTypes: ProcessTypes;
  description: string;
  userId: string | null;
}

export async function insertRelease(db: Queryable, r: NewRelease): Promise<ReleaseRow> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO releases (app_id, version, build_id, image, config, process_types, description, user_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [r.appId, r.version, r.buildId, r.image, JSON.stringify(r.config), JSON.stringify(r.processTypes), r.description, r.userId],
  );
  return (await getReleaseById(db, rows[0]!.id))!;
}

export async function getReleaseById(db: Queryable, id: string): Promise<ReleaseRow | undefined> {
  const { rows } = await db.query<ReleaseRow>(`${select} WHERE r.id = $1`, [id]);
  return rows[0];
}

export async function setReleaseStatus(db: Queryable, id: string, status: ReleaseStatus): Promise<void> {
  await db.query('UPDATE releases SET status = $2 WHERE id = $1', [id, status]);
}

/** The release serving the app: the newest one that succeeded. */
export async function currentRelease(db: Queryable, appId: string): Promise<ReleaseRow | undefined> {
  const { rows } = await db.query<ReleaseRow>(
    `${select} WHERE r.app_id = $1 AND r.status = 'succeeded' ORDER BY r.version DESC LIMIT 1`,
    [appId],
  );
  return rows[0];
}

export async function listReleases(db: Queryable, appId: string, limit = 50): Promise<ReleaseRow[]> {
  const { rows } = await db.query<ReleaseRow>(`${select} WHERE r.app_id = $1 ORDER BY r.version DESC LIMIT $2`, [
    appId,
    limit,
  ]);
  return rows;
}

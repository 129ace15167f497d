import type { Queryable } from './queryable.js';

export interface LogDrainRow {
  id: string;
  app_id: string;
  /** The app's name (joined), for the drain workers. */
  app: string;
  url: string;
  /** Heroku's drain token (`d.<uuid>`), sent with every delivery so a receiver can tell drains apart. */
  token: string;
  created_at: Date;
  updated_at: Date;
}

const select = `SELECT d.id, d.app_id, a.name AS app, d.url, d.token, d.created_at, d.updated_at
  FROM log_drains d JOIN apps a ON a.id = d.app_id`;

export async function listLogDrains(db: Queryable, appId: string): Promise<LogDrainRow[]> {
  const { rows } = await db.query<LogDrainRow>(`${select} WHERE d.app_id = $1 ORDER BY d.created_at, d.id`, [appId]);
  return rows;
}

export async function listAllLogDrains(db: Queryable): Promise<LogDrainRow[]> {
  const { rows } = await db.query<LogDrainRow>(`${select} ORDER BY d.created_at, d.id`);
  return rows;
}

export async function countLogDrains(db: Queryable, appId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM log_drains WHERE app_id = $1', [appId]);
  return rows[0]?.n ?? 0;
}

export async function insertLogDrain(db: Queryable, appId: string, url: string, token: string): Promise<LogDrainRow> {
  const { rows } = await db.query<{ id: string }>('INSERT INTO log_drains (app_id, url, token) VALUES ($1, $2, $3) RETURNING id', [
    appId,
    url,
    token,
  ]);
  return (await findLogDrain(db, appId, rows[0]!.id))!;
}

/** A drain of the app by id or by URL. */
export async function findLogDrain(db: Queryable, appId: string, idOrUrl: string): Promise<LogDrainRow | undefined> {
  const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrUrl);
  const { rows } = await db.query<LogDrainRow>(
    `${select} WHERE d.app_id = $1 AND ${isId ? 'd.id = $2::uuid' : '(d.url = $2 OR d.token = $2)'}`,
    [appId, idOrUrl],
  );
  return rows[0];
}

export async function deleteLogDrain(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM log_drains WHERE id = $1', [id]);
}

import type { ProcessTypes } from '@paas/shared';
import type { Queryable } from './queryable.js';

export type BuildStatus = 'pending' | 'building' | 'succeeded' | 'failed';

export interface BuildRow {
  id: string;
  app_id: string;
  user_id: string | null;
  commit: string;
  status: BuildStatus;
  error: string | null;
  image: string | null;
  process_types: ProcessTypes | null;
  buildpack: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const columns = 'id, app_id, user_id, commit, status, error, image, process_types, buildpack, created_at, finished_at';

export async function insertBuild(db: Queryable, appId: string, userId: string, commit: string): Promise<BuildRow> {
  const { rows } = await db.query<BuildRow>(
    `INSERT INTO builds (app_id, user_id, commit) VALUES ($1, $2, $3) RETURNING ${columns}`,
    [appId, userId, commit],
  );
  return rows[0]!;
}

export async function markBuildRunning(db: Queryable, id: string): Promise<void> {
  await db.query("UPDATE builds SET status = 'building' WHERE id = $1", [id]);
}

export async function finishBuild(
  db: Queryable,
  id: string,
  outcome:
    | { status: 'succeeded'; image: string; processTypes: ProcessTypes; buildpack: string; output: string }
    | { status: 'failed'; error: string; output: string },
): Promise<void> {
  if (outcome.status === 'succeeded') {
    await db.query(
      `UPDATE builds SET status = 'succeeded', image = $2, process_types = $3, buildpack = $4, output = $5, finished_at = now()
       WHERE id = $1`,
      [id, outcome.image, JSON.stringify(outcome.processTypes), outcome.buildpack, outcome.output],
    );
  } else {
    await db.query(
      "UPDATE builds SET status = 'failed', error = $2, output = $3, finished_at = now() WHERE id = $1 AND status IN ('pending', 'building')",
      [id, outcome.error, outcome.output],
    );
  }
}

/** Newest first, `limit` of them after the build `afterId` (the last one of the previous page). */
export async function listBuilds(db: Queryable, appId: string, limit = 50, afterId?: string): Promise<BuildRow[]> {
  const { rows } = await db.query<BuildRow>(
    `SELECT ${columns} FROM builds WHERE app_id = $1
        AND ($3::uuid IS NULL OR (created_at, id) < (SELECT created_at, id FROM builds WHERE id = $3 AND app_id = $1))
      ORDER BY created_at DESC, id DESC LIMIT $2`,
    [appId, limit, afterId ?? null],
  );
  return rows;
}

export async function getBuild(db: Queryable, appId: string, id: string): Promise<(BuildRow & { output: string }) | undefined> {
  const { rows } = await db.query<BuildRow & { output: string }>(
    `SELECT ${columns}, output FROM builds WHERE app_id = $1 AND id = $2`,
    [appId, id],
  );
  return rows[0];
}

/** Builds left pending or building by a controller that died: they can never finish. */
export async function failOrphanedBuilds(db: Queryable): Promise<number> {
  const res = await db.query(
    "UPDATE builds SET status = 'failed', error = 'the controller restarted during the build', finished_at = now() WHERE status IN ('pending', 'building')",
  );
  return res.rowCount ?? 0;
}

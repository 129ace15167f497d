import type { Queryable } from './queryable.js';

/** Claims a job's tick: true for the one controller whose insert wins. */
export async function claimCronTick(db: Queryable, appId: string, jobId: string, tick: Date): Promise<boolean> {
  const { rowCount } = await db.query('INSERT INTO cron_runs (app_id, job_id, tick) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [appId, jobId, tick]);
  return rowCount === 1;
}

export async function finishCronRun(db: Queryable, appId: string, jobId: string, tick: Date, r: { process?: string; exitCode?: number | null; error?: string }): Promise<void> {
  await db.query('UPDATE cron_runs SET process = $4, exit_code = $5, error = $6, finished_at = now() WHERE app_id = $1 AND job_id = $2 AND tick = $3', [
    appId,
    jobId,
    tick,
    r.process ?? null,
    r.exitCode ?? null,
    r.error?.slice(0, 2000) ?? null,
  ]);
}

export interface LastCronRun {
  job_id: string;
  tick: Date;
  exit_code: number | null;
  error: string | null;
  finished_at: Date | null;
}

/** Each job's latest run. */
export async function lastCronRuns(db: Queryable, appId: string): Promise<LastCronRun[]> {
  const { rows } = await db.query<LastCronRun>(
    'SELECT DISTINCT ON (job_id) job_id, tick, exit_code, error, finished_at FROM cron_runs WHERE app_id = $1 ORDER BY job_id, tick DESC',
    [appId],
  );
  return rows;
}

/** Apps whose current release's app.json has cron entries, with them. */
export async function appsWithCron(db: Queryable): Promise<Array<{ app_id: string; cron: unknown }>> {
  const { rows } = await db.query<{ app_id: string; cron: unknown }>(
    `SELECT DISTINCT ON (r.app_id) r.app_id, r.app_json->'cron' AS cron
       FROM releases r WHERE r.status = 'succeeded' ORDER BY r.app_id, r.version DESC`,
  );
  return rows.filter((r) => Array.isArray(r.cron) && r.cron.length > 0);
}

/** Forgets runs older than `days`. */
export async function pruneCronRuns(db: Queryable, days: number): Promise<void> {
  await db.query(`DELETE FROM cron_runs WHERE started_at < now() - $1::int * interval '1 day'`, [days]);
}

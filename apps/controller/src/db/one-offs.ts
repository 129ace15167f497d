import type { Queryable } from './queryable.js';

/** Allocates the app's next one-off number (`run.N`) atomically; numbers are never reused. */
export async function nextRunNumber(db: Queryable, appId: string): Promise<number> {
  const { rows } = await db.query<{ run_seq: number }>('UPDATE apps SET run_seq = run_seq + 1 WHERE id = $1 RETURNING run_seq', [appId]);
  return rows[0]!.run_seq;
}

/**
 * Reserves a one-off of the app (inside the owner's quota transaction): a fresh `run.N` number and a
 * row of one_off_runs, which counts against the owner's processes until endOneOff.
 */
export async function reserveOneOff(db: Queryable, appId: string): Promise<number> {
  const number = await nextRunNumber(db, appId);
  await db.query('INSERT INTO one_off_runs (app_id, number) VALUES ($1, $2)', [appId, number]);
  return number;
}

/** Records the process a reserved one-off runs as, once it has started. */
export async function markOneOffStarted(db: Queryable, appId: string, number: number, processId: string): Promise<void> {
  await db.query('UPDATE one_off_runs SET process_id = $3 WHERE app_id = $1 AND number = $2', [appId, number, processId]);
}

/** The one-off has exited (or never started): it no longer counts. */
export async function endOneOff(db: Queryable, appId: string, number: number): Promise<void> {
  await db.query('DELETE FROM one_off_runs WHERE app_id = $1 AND number = $2', [appId, number]);
}

export interface OneOffRun {
  app_id: string;
  app: string;
  number: number;
  process_id: string | null;
  /** Reserved this many seconds ago. */
  age_seconds: number;
}

/** The one-offs counted against an owner's quota, with their apps' names. */
export async function listOneOffRuns(db: Queryable, ownerId: string): Promise<OneOffRun[]> {
  const { rows } = await db.query<OneOffRun>(
    `SELECT o.app_id, a.name AS app, o.number, o.process_id, extract(epoch FROM now() - o.created_at)::float8 AS age_seconds
       FROM one_off_runs o JOIN apps a ON a.id = o.app_id WHERE a.owner_id = $1`,
    [ownerId],
  );
  return rows;
}

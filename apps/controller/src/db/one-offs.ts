import type { Queryable } from './queryable.js';

/** Allocates the app's next one-off number (`run.N`) atomically; numbers are never reused. */
export async function nextRunNumber(db: Queryable, appId: string): Promise<number> {
  const { rows } = await db.query<{ run_seq: number }>('UPDATE apps SET run_seq = run_seq + 1 WHERE id = $1 RETURNING run_seq', [appId]);
  return rows[0]!.run_seq;
}

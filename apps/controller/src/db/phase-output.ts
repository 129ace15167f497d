import type { Queryable } from './queryable.js';

/** What is kept of a release's lifecycle scripts' output at most (characters); the rest is cut. */
export const maxPhaseOutputChars = 1024 * 1024;

/** Adds lines to what a release's release phase and postdeploy scripts printed. */
export async function appendPhaseOutput(db: Queryable, releaseId: string, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  await db.query(`UPDATE releases SET phase_output = left(coalesce(phase_output, '') || $2, $3) WHERE id = $1`, [
    releaseId,
    lines.map((l) => `${l}\n`).join(''),
    maxPhaseOutputChars,
  ]);
}

/** The output kept for a release; null when it ran no lifecycle script. */
export async function getPhaseOutput(db: Queryable, releaseId: string): Promise<string | null> {
  const { rows } = await db.query<{ phase_output: string | null }>('SELECT phase_output FROM releases WHERE id = $1', [releaseId]);
  return rows[0]?.phase_output ?? null;
}

import type { Queryable } from './queryable.js';

/** Records the port a build's image listens on (a Dockerfile's EXPOSE); releases of the build use it. */
export async function setBuildPort(db: Queryable, buildId: string, port: number): Promise<void> {
  await db.query('UPDATE builds SET port = $2 WHERE id = $1', [buildId, port]);
}

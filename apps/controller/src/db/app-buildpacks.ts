import type { Queryable } from './queryable.js';

/** Replaces an app's buildpacks (built-in names or git URLs, in order; empty: detect). */
export async function setAppBuildpacks(db: Queryable, appId: string, buildpacks: readonly string[]): Promise<string[]> {
  const { rows } = await db.query<{ buildpacks: string[] }>('UPDATE apps SET buildpacks = $2 WHERE id = $1 RETURNING buildpacks', [appId, buildpacks]);
  return rows[0]?.buildpacks ?? [];
}

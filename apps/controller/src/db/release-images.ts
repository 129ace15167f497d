import type { Queryable } from './queryable.js';

/**
 * The images an app keeps on its engines: those of its `count` most recent releases (several releases
 * share one image when only config changed, so this is by image, newest use first), and always the
 * image of the release serving now (a rollback may have made an old image current).
 */
export async function keptReleaseImages(db: Queryable, appId: string, count: number): Promise<Set<string>> {
  const { rows } = await db.query<{ image: string }>(
    `(SELECT image FROM releases WHERE app_id = $1 GROUP BY image ORDER BY max(version) DESC LIMIT $2)
     UNION
     (SELECT image FROM releases WHERE app_id = $1 AND status = 'succeeded' ORDER BY version DESC LIMIT 1)`,
    [appId, count],
  );
  return new Set(rows.map((r) => r.image));
}

import { AppError, type SecretBox } from '@paas/shared';
import type { Queryable } from './queryable.js';
import { getReleaseById, type ReleaseRow } from './releases.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One release of an app named the ways Heroku accepts: `v3`, `3` or its id. Throws
 * `release_not_found` for one the app does not have, `invalid_params` for something else.
 */
export async function findRelease(db: Queryable, cipher: SecretBox, app: { id: string; name: string }, ref: string): Promise<ReleaseRow> {
  const version = /^v?(\d{1,9})$/i.exec(ref.trim())?.[1];
  let id: string | undefined;
  if (version !== undefined) {
    const { rows } = await db.query<{ id: string }>('SELECT id FROM releases WHERE app_id = $1 AND version = $2', [app.id, Number(version)]);
    id = rows[0]?.id;
  } else if (uuid.test(ref.trim())) {
    id = ref.trim().toLowerCase();
  } else {
    throw new AppError('invalid_params', `release: ${JSON.stringify(ref)} is not a release; name one as v3, 3 or its id`);
  }
  const release = id === undefined ? undefined : await getReleaseById(db, cipher, id);
  if (!release || release.app_id !== app.id) throw new AppError('release_not_found', `${app.name} has no release ${ref.trim()}`);
  return release;
}

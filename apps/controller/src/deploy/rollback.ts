import type pg from 'pg';
import { AppError, type SecretBox } from '@paas/shared';
import type { AppRow } from '../db/apps.js';
import { getConfigVars, updateConfigVars } from '../db/config-vars.js';
import { findRelease } from '../db/release-ref.js';
import type { ReleaseRow } from '../db/releases.js';
import type { ReleaseService } from './release-service.js';

export interface RollbackDeps {
  pool: pg.Pool;
  cipher: SecretBox;
  releases: ReleaseService;
  /** Says whether the target's image is still on the engines (see image-retention.ts). */
  images?: { assertImageKept(app: AppRow, release: ReleaseRow): Promise<void> };
}

/** The app's config vars become exactly `vars`. */
async function replaceConfigVars(deps: RollbackDeps, appId: string, vars: Record<string, string>): Promise<void> {
  const now = await getConfigVars(deps.pool, deps.cipher, appId);
  const changes: Record<string, string | null> = { ...vars };
  for (const key of Object.keys(now)) if (!(key in vars)) changes[key] = null;
  if (Object.keys(changes).length) await updateConfigVars(deps.pool, deps.cipher, appId, changes);
}

/**
 * Heroku's rollback: a NEW release with the image, process types and config vars of an earlier one
 * (`Rollback to v3`), deployed like any release. The app's config vars are restored to that
 * release's snapshot; if the new release fails to boot they are put back as they were, and the
 * release serving before keeps serving. Only a release that once succeeded can be rolled back to.
 */
export async function rollback(deps: RollbackDeps, app: AppRow, ref: string, userId: string, say?: (line: string) => void): Promise<ReleaseRow> {
  const target = await findRelease(deps.pool, deps.cipher, app, ref);
  if (target.status !== 'succeeded') {
    throw new AppError(
      'invalid_params',
      `v${target.version} never ran successfully (it is ${target.status}): roll back to a release that did (see paas releases)`,
    );
  }
  await deps.images?.assertImageKept(app, target);
  const before = await getConfigVars(deps.pool, deps.cipher, app.id);
  await replaceConfigVars(deps, app.id, target.config);
  try {
    return await deps.releases.release(
      app,
      {
        image: target.image,
        processTypes: target.process_types,
        buildId: target.build_id,
        description: `Rollback to v${target.version}`,
        userId,
        appJson: target.app_json,
      },
      say,
    );
  } catch (err) {
    await replaceConfigVars(deps, app.id, before);
    throw err;
  }
}

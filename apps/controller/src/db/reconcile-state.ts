import type pg from 'pg';
import type { ConfigCipher } from '../auth/config-cipher.js';
import { getFormationSql, type FormationRow } from './formation.js';
import { execution, prepared, type Execution } from './sql-batch.js';
import { currentReleaseOf, currentReleaseSql, type ReleaseRow } from './releases.js';
import { defaultRouterSettings, type RouterSettingsRow } from './router-settings.js';

/** What one reconcile pass of an app reads from the database. */
export interface ReconcileState {
  release: ReleaseRow | undefined;
  formation: FormationRow[];
  /** The app's custom hostnames, in name order (for its route). */
  hostnames: string[];
  router: RouterSettingsRow;
  /** The owner's memory quota as set for them (null: the platform default). */
  memoryQuotaMb: number | null;
}

const routeAndOwnerSql = `SELECT
    (SELECT coalesce(json_agg(hostname ORDER BY hostname), '[]'::json) FROM domains WHERE app_id = $1::uuid) AS hostnames,
    (SELECT row_to_json(s) FROM (SELECT https_redirect, max_body_mb FROM app_router_settings WHERE app_id = $1::uuid) s) AS router,
    (SELECT memory_mb FROM quotas WHERE user_id = $2::uuid) AS memory_quota_mb`;

const currentRelease = prepared('current_release', currentReleaseSql);
const formation = prepared('formation', getFormationSql);
const routeAndOwner = prepared('route_and_owner', routeAndOwnerSql);

/**
 * A pass's reads (the app's current release, its formation, its route's domains and settings, its
 * owner's memory quota) as steps of one batch (AppLocks.withReading): the ids are database uuids.
 */
export function reconcileReads(app: { id: string; owner_id: string }): Execution[] {
  return [execution(currentRelease, [app.id]), execution(formation, [app.id]), execution(routeAndOwner, [app.id, app.owner_id])];
}

/** The state from the results of reconcileReads' statements. */
export function reconcileState(cipher: ConfigCipher, results: pg.QueryResult[]): ReconcileState {
  const [release, rows, other] = results;
  const row = other!.rows[0] as { hostnames: string[]; router: RouterSettingsRow | null; memory_quota_mb: number | null };
  return {
    release: currentReleaseOf(cipher, release!.rows),
    formation: rows!.rows as FormationRow[],
    hostnames: row.hostnames,
    router: row.router ?? { ...defaultRouterSettings },
    memoryQuotaMb: row.memory_quota_mb,
  };
}

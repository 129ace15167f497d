import type pg from 'pg';
import { getFormationSql, type FormationRow } from './formation.js';
import { execution, prepared, type Execution } from './sql-batch.js';
import { currentReleaseOf, currentReleaseSql, type ReleaseRow } from './releases.js';
import { defaultRouterSettings, type RouteSettingsRow } from './router-settings.js';
import { type SecretBox } from '@paas/shared';

/** What one reconcile pass of an app reads from the database. */
export interface ReconcileState {
  release: ReleaseRow | undefined;
  formation: FormationRow[];
  /** The app's custom hostnames, in name order (for its route). */
  hostnames: string[];
  router: RouteSettingsRow;
  /** The owner's memory quota as set for them (null: the platform default). */
  memoryQuotaMb: number | null;
  /**
   * Versions of the app's releases being deployed (pending, under a live lease, or without a lease
   * and younger than the boot window): their processes are booting under a deploy (maybe another
   * controller's) and are left alone. A pending release whose lease ran out is not: its controller died.
   */
  booting: number[];
  /** The app's name now (a rename may have changed it since the caller read the app); null: it is gone. */
  name: string | null;
}

const routeAndOwnerSql = `SELECT
    (SELECT name FROM apps WHERE id = $1::uuid) AS name,
    (SELECT coalesce(json_agg(hostname ORDER BY hostname), '[]'::json) FROM domains WHERE app_id = $1::uuid) AS hostnames,
    (SELECT row_to_json(s) FROM (SELECT https_redirect, max_body_mb, maintenance, maintenance_page FROM app_router_settings WHERE app_id = $1::uuid) s) AS router,
    (SELECT memory_mb FROM quotas WHERE user_id = $2::uuid) AS memory_quota_mb,
    (SELECT coalesce(json_agg(version), '[]'::json) FROM releases
      WHERE app_id = $1::uuid AND status = 'pending'
        AND (lease_expires_at > now() OR (lease_expires_at IS NULL AND created_at > now() - $3::int * interval '1 second'))) AS booting`;

const currentRelease = prepared('current_release', currentReleaseSql);
const formation = prepared('formation', getFormationSql);
const routeAndOwner = prepared('route_and_owner', routeAndOwnerSql);

/**
 * A pass's reads (the app's current release, its formation, its route's domains and settings, its
 * owner's memory quota, its releases booting within `bootWindowSeconds`) as steps of one batch
 * (AppLocks.withReading): the ids are database uuids.
 */
export function reconcileReads(app: { id: string; owner_id: string }, bootWindowSeconds: number): Execution[] {
  return [
    execution(currentRelease, [app.id]),
    execution(formation, [app.id]),
    execution(routeAndOwner, [app.id, app.owner_id, Math.ceil(bootWindowSeconds)]),
  ];
}

/** The state from the results of reconcileReads' statements. */
export function reconcileState(cipher: SecretBox, results: pg.QueryResult[]): ReconcileState {
  const [release, rows, other] = results;
  const row = other!.rows[0] as { name: string | null; hostnames: string[]; router: RouteSettingsRow | null; memory_quota_mb: number | null; booting: number[] };
  return {
    release: currentReleaseOf(cipher, release!.rows),
    formation: rows!.rows as FormationRow[],
    hostnames: row.hostnames,
    router: row.router ?? { ...defaultRouterSettings },
    memoryQuotaMb: row.memory_quota_mb,
    booting: row.booting,
    name: row.name,
  };
}

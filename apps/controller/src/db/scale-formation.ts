import { isIP } from 'node:net';
import type pg from 'pg';
import type { FormationRow } from './formation.js';
import { lockUserStatement, usageWithApp, usageWithAppSql, type QuotaOverrides, type UsageRow, type UsageWithApp } from './quotas.js';
import { execution, prepared, runBatch } from './sql-batch.js';

/** Why a scale was refused: no such owner, the app has no release, a type its release lacks, or the processes quota. */
export type ScaleRefusal = 'no_owner' | 'no_release' | 'unknown_type' | 'quota';

/**
 * A scale as ONE statement, for the batch that has just locked the owner's row (so its snapshot has
 * every write committed before the lock): the owner's usage and the app's formation and release as
 * getQuotaUsageWithApp reads them, the verdict, and, only when nothing refuses it, the new quantities
 * and the audit event. Deciding here means the owner's row is held for no round trip to the
 * controller: the batch ends with COMMIT.
 *
 * $1 owner, $2 app, $3 types, $4 quantities, $5 the platform's processes quota, $6 actor, $7 app
 * name, $8 client address, $9 details.
 */
const scaleSql = `WITH
  state AS (${usageWithAppSql}),
  u AS (SELECT t, q FROM unnest($3::text[], $4::int[]) AS u(t, q)),
  delta AS (SELECT coalesce(sum(u.q - coalesce((s.formation ->> u.t)::int, 0)), 0) AS d FROM u CROSS JOIN state s),
  verdict AS (
    SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM users WHERE id = $1::uuid) THEN 'no_owner'
        WHEN s.release IS NULL THEN 'no_release'
        WHEN EXISTS (SELECT 1 FROM u WHERE s.release -> 'process_types' -> u.t IS NULL) THEN 'unknown_type'
        WHEN d.d > 0 AND s.processes + d.d > coalesce((SELECT processes FROM quotas WHERE user_id = $1::uuid), $5::int) THEN 'quota'
      END AS refused
      FROM state s CROSS JOIN delta d),
  written AS (
    INSERT INTO formation (app_id, type, quantity) SELECT $2::uuid, t, q FROM u WHERE (SELECT refused FROM verdict) IS NULL
    ON CONFLICT (app_id, type) DO UPDATE SET quantity = EXCLUDED.quantity
    RETURNING type, quantity, memory_mb, cpus::float8 AS cpus),
  audited AS (
    INSERT INTO audit_events (actor_id, actor_email, action, app, target_user, ip, details)
    SELECT $6::uuid, (SELECT email FROM users WHERE id = $6::uuid), 'formation.update', $7::text, NULL, $8::text, $9::jsonb
     WHERE (SELECT refused FROM verdict) IS NULL)
SELECT v.refused, s.*,
    (SELECT coalesce(json_agg(f ORDER BY f.type), '[]') FROM (
       SELECT * FROM written
       UNION ALL
       SELECT type, quantity, memory_mb, cpus::float8 FROM formation WHERE app_id = $2::uuid AND type <> ALL ($3::text[])) f) AS after
  FROM verdict v CROSS JOIN state s`;

const scaleStatement = prepared('scale_formation', scaleSql);

export interface Scale {
  ownerId: string;
  appId: string;
  /** Types validated against their pattern (they are written as literals). */
  updates: FormationRow[];
  /** The platform's processes quota, for owners with none of their own. */
  defaultProcesses: number;
  /** Who scales, for the audit event (their email is read from their user row). */
  audit: { actorId: string | null; app: string; ip: string | undefined; details: Record<string, unknown> };
}

/**
 * Locks the owner's row and scales (see scaleSql) in a transaction of ONE round trip: BEGIN, the
 * lock, the statement, COMMIT. Answers the owner's row (undefined: none), the verdict, the state it
 * was made on, and the app's whole formation after the write (when there was one).
 */
export async function lockAndScale(
  client: pg.ClientBase,
  o: Scale,
): Promise<{ locked: ({ email: string } & QuotaOverrides) | undefined; refused: ScaleRefusal | null; state: UsageWithApp; formation: FormationRow[] }> {
  const { audit } = o;
  const results = await runBatch(client, [
    'BEGIN',
    execution(lockUserStatement, [o.ownerId]),
    execution(scaleStatement, [
      o.ownerId,
      o.appId,
      o.updates.map((u) => u.type),
      o.updates.map((u) => u.quantity),
      o.defaultProcesses,
      audit.actorId,
      audit.app,
      audit.ip && isIP(audit.ip) ? audit.ip : null,
      audit.details,
    ]),
    'COMMIT',
  ]);
  const row = results[2]!.rows[0] as UsageRow & { refused: ScaleRefusal | null; after: FormationRow[] };
  return {
    locked: results[1]!.rows[0] as ({ email: string } & QuotaOverrides) | undefined,
    refused: row.refused,
    state: usageWithApp(row),
    formation: row.after,
  };
}

import type pg from 'pg';
import { execution, prepared, runBatch } from './sql-batch.js';
import type { Queryable } from './queryable.js';

/** A user's limits: apps owned, processes running across them, memory per process, builds at once. */
export interface QuotaLimits {
  apps: number;
  processes: number;
  memory_mb: number;
  builds: number;
}

export type QuotaName = keyof QuotaLimits;
export const quotaNames: QuotaName[] = ['apps', 'processes', 'memory_mb', 'builds'];

/** What is set for the user; null means the platform default. */
export type QuotaOverrides = { [K in QuotaName]: number | null };

export interface QuotaUsage {
  apps: number;
  processes: number;
  builds: number;
}

export async function getQuotaOverrides(db: Queryable, userId: string): Promise<QuotaOverrides> {
  const { rows } = await db.query<QuotaOverrides>('SELECT apps, processes, memory_mb, builds FROM quotas WHERE user_id = $1', [
    userId,
  ]);
  return rows[0] ?? { apps: null, processes: null, memory_mb: null, builds: null };
}

/** Sets the given limits (null resets one to the default); the others keep their value. */
export async function updateQuotaOverrides(db: Queryable, userId: string, changes: Partial<QuotaOverrides>): Promise<QuotaOverrides> {
  const current = await getQuotaOverrides(db, userId);
  const next = { ...current, ...changes };
  await db.query(
    `INSERT INTO quotas (user_id, apps, processes, memory_mb, builds) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (user_id) DO UPDATE SET apps = $2, processes = $3, memory_mb = $4, builds = $5, updated_at = now()`,
    [userId, next.apps, next.processes, next.memory_mb, next.builds],
  );
  return next;
}

/** What the user's apps use now: apps owned, processes (their formations and running one-offs), builds under way. */
export async function getQuotaUsage(db: Queryable, userId: string): Promise<QuotaUsage> {
  return (await getQuotaUsageWithApp(db, userId, null)).usage;
}

/** An app as a scale sees it: its formation's quantities, and its current release's version and process types. */
export interface ScaledApp {
  formation: Record<string, number>;
  release: { version: number; process_types: Record<string, string> } | null;
}

/** The user's usage, and (when `appId` is given) that app's formation and current release, in one round trip. */
export async function getQuotaUsageWithApp(db: Queryable, userId: string, appId: string | null): Promise<UsageWithApp> {
  const { rows } = await db.query<UsageRow>(usageWithAppSql, [userId, appId]);
  return usageWithApp(rows[0]!);
}

export type UsageWithApp = { usage: QuotaUsage } & ScaledApp;

export interface UsageRow {
  apps: string;
  processes: string;
  builds: string;
  formation: Record<string, number> | null;
  release: ScaledApp['release'];
}

/** The usage statement ($1: the user, $2: the app or null). */
export const usageWithAppSql = `SELECT
       (SELECT count(*) FROM apps WHERE owner_id = $1::uuid) AS apps,
       (SELECT coalesce(sum(f.quantity), 0) FROM formation f JOIN apps a ON a.id = f.app_id WHERE a.owner_id = $1::uuid)
         + (SELECT count(*) FROM one_off_runs o JOIN apps a ON a.id = o.app_id WHERE a.owner_id = $1::uuid) AS processes,
       (SELECT count(*) FROM builds b JOIN apps a ON a.id = b.app_id
         WHERE a.owner_id = $1::uuid AND b.status IN ('pending', 'building')) AS builds,
       (SELECT json_object_agg(type, quantity) FROM formation WHERE app_id = $2::uuid) AS formation,
       (SELECT json_build_object('version', r.version, 'process_types', r.process_types) FROM releases r
         WHERE r.app_id = $2::uuid AND r.status = 'succeeded' ORDER BY r.version DESC LIMIT 1) AS release`;

export function usageWithApp(r: UsageRow): UsageWithApp {
  return {
    usage: { apps: Number(r.apps), processes: Number(r.processes), builds: Number(r.builds) },
    formation: r.formation ?? {},
    release: r.release,
  };
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Begins a transaction on `client`, locks the user's row in it (see lockUserSql) and reads their usage
 * (and, with `appId`, that app's formation and release) AFTER the lock, in ONE round trip: the statements go as one pipelined batch (sql-batch.ts), each
 * taking its own snapshot. A `userId` that is not a uuid is refused before anything is sent. Answers
 * the locked row (undefined: no such user) and the usage.
 */
export async function beginAndLockUser(
  client: pg.PoolClient,
  userId: string,
  appId: string | null = null,
): Promise<{ locked: ({ email: string } & QuotaOverrides) | undefined; state: UsageWithApp }> {
  if (!uuid.test(userId) || (appId !== null && !uuid.test(appId))) throw new Error(`not a user or app id: ${userId} ${appId}`);
  const results = await runBatch(client, ['BEGIN', execution(lockUserStatement, [userId]), execution(usageWithAppStatement, [userId, appId])]);
  return {
    locked: results[1]?.rows[0] as ({ email: string } & QuotaOverrides) | undefined,
    state: usageWithApp(results[2]!.rows[0] as UsageRow),
  };
}

/**
 * Locks the user's row until the transaction ends (quota checks and writes of one owner serialise on
 * it) and reads their overrides. Usage must be read by a LATER statement: one started before the lock
 * was granted would not see the writes of the transaction it waited for.
 */
const lockUserSql = `SELECT u.email, q.apps, q.processes, q.memory_mb, q.builds
       FROM users u LEFT JOIN quotas q ON q.user_id = u.id WHERE u.id = $1::uuid FOR UPDATE OF u`;
const lockUserStatement = prepared('lock_user', lockUserSql);
const usageWithAppStatement = prepared('usage_with_app', usageWithAppSql);


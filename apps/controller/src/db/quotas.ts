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

/** What the user's apps use now: apps owned, processes in their formations, builds under way. */
export async function getQuotaUsage(db: Queryable, userId: string): Promise<QuotaUsage> {
  const { rows } = await db.query<{ apps: string; processes: string; builds: string }>(
    `SELECT
       (SELECT count(*) FROM apps WHERE owner_id = $1) AS apps,
       (SELECT coalesce(sum(f.quantity), 0) FROM formation f JOIN apps a ON a.id = f.app_id WHERE a.owner_id = $1) AS processes,
       (SELECT count(*) FROM builds b JOIN apps a ON a.id = b.app_id
         WHERE a.owner_id = $1 AND b.status IN ('pending', 'building')) AS builds`,
    [userId],
  );
  const r = rows[0]!;
  return { apps: Number(r.apps), processes: Number(r.processes), builds: Number(r.builds) };
}

/** Locks the user's row until the transaction `db` ends: quota checks and writes of one owner serialise on it. */
export async function lockUser(db: Queryable, userId: string): Promise<{ email: string } | undefined> {
  const { rows } = await db.query<{ email: string }>('SELECT email FROM users WHERE id = $1 FOR UPDATE', [userId]);
  return rows[0];
}

import type pg from 'pg';

/** Namespace of the per-app advisory locks (the second key is the app id's hash). */
const appLockNamespace = 727_002;
/** The lock held by the one controller that runs the periodic reconcile. */
export const reconcileLockKey = 727_003;

/**
 * One writer per app at a time: deploys, scaling, reconciliation and destroys of an app hold its
 * PostgreSQL advisory lock, so two controllers (or two requests) never race on the same app.
 */
export class AppLocks {
  constructor(private readonly pool: pg.Pool) {}

  async with<T>(appId: string, fn: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [appLockNamespace, appId]);
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [appLockNamespace, appId]);
      }
    } finally {
      client.release();
    }
  }

  /** Runs `fn` only if the lock is free right now; returns undefined otherwise. */
  async tryWith<T>(appId: string, fn: () => Promise<T>): Promise<T | undefined> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
        appLockNamespace,
        appId,
      ]);
      if (!rows[0]?.ok) return undefined;
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [appLockNamespace, appId]);
      }
    } finally {
      client.release();
    }
  }
}

import type pg from 'pg';

/** Namespace of the per-app advisory locks (the second key is the app id's hash). */
const appLockNamespace = 727_002;
/** The lock held by the one controller that runs the periodic reconcile. */
export const reconcileLockKey = 727_003;

/**
 * One writer per app at a time: deploys, scaling, reconciliation and destroys of an app hold its
 * PostgreSQL advisory lock, so two controllers (or two requests) never race on the same app.
 *
 * A holder keeps a pooled connection for the lock and needs others for its work, so within this
 * process waiters queue per app before taking a connection, and at most half the pool holds app
 * locks at once: concurrent requests can never take every connection and wait on each other.
 */
export class AppLocks {
  /** Per app: the tail of this process's queue for its lock. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly slots: Slots;

  constructor(private readonly pool: pg.Pool) {
    this.slots = new Slots(Math.max(1, Math.floor((pool.options.max ?? 10) / 2)));
  }

  with<T>(appId: string, fn: () => Promise<T>): Promise<T> {
    return this.queued(appId, () => this.slots.run(() => this.advisory(appId, fn, true))) as Promise<T>;
  }

  /** Runs `fn` only if the lock is free right now; returns undefined otherwise. */
  async tryWith<T>(appId: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.queues.has(appId) || !this.slots.free()) return undefined;
    return this.queued(appId, () => this.slots.run(() => this.advisory(appId, fn, false)));
  }

  private async advisory<T>(appId: string, fn: () => Promise<T>, wait: boolean): Promise<T | undefined> {
    const client = await this.pool.connect();
    try {
      if (wait) await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [appLockNamespace, appId]);
      else {
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
          appLockNamespace,
          appId,
        ]);
        if (!rows[0]?.ok) return undefined;
      }
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [appLockNamespace, appId]);
      }
    } finally {
      client.release();
    }
  }

  private async queued<T>(appId: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(appId) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined);
    this.queues.set(appId, tail);
    try {
      return await run;
    } finally {
      if (this.queues.get(appId) === tail) this.queues.delete(appId);
    }
  }
}

/** A counting semaphore. */
class Slots {
  private waiting: (() => void)[] = [];

  constructor(private available: number) {}

  free(): boolean {
    return this.available > 0;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.available > 0) this.available--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.available++;
    }
  }
}

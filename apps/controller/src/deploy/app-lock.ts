import type pg from 'pg';
import { execution, prepared, runBatch, type Execution } from '../db/sql-batch.js';

/** Namespace of the per-app advisory locks (the second key is the app id's hash). */
const appLockNamespace = 727_002;
const lockAndWait = prepared('app_lock', 'SELECT true AS ok, pg_advisory_lock($1, hashtext($2))');
const tryLock = prepared('app_try_lock', 'SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok');
/** The lock held by the one controller that runs the periodic reconcile. */
export const reconcileLockKey = 727_003;

/** An app's turn in this process (see AppLocks.inTurn). */
export interface AppTurn {
  /**
   * Runs `step` holding the app's advisory lock (a pooled connection and a slot), with the results of
   * `read` (see withReading). Without waiting (`wait`, by default the turn's, false) it runs only if
   * the lock is free right now, and resolves undefined otherwise.
   */
  locked<U>(read: readonly Execution[], step: (results: pg.QueryResult[]) => Promise<U>, wait?: boolean): Promise<U | undefined>;
}

/**
 * One writer per app at a time: deploys, scaling, reconciliation and destroys of an app hold its
 * PostgreSQL advisory lock, so two controllers (or two requests) never race on the same app.
 *
 * A holder keeps a pooled connection for the lock and needs others for its work, so within this
 * process waiters queue per app before taking a connection, and at most half the pool holds app
 * locks at once: concurrent requests can never take every connection and wait on each other.
 *
 * Work that waits on something slow (processes booting: up to PAAS_MAX_BOOT_SECONDS) runs in an
 * app's turn (`inTurn`): it keeps its place in the app's queue, so this process's other writers of
 * the app wait behind it, but takes the advisory lock (a connection, a slot) only for its short
 * steps. Slow apps then never hold the slots every other app needs.
 */
export class AppLocks {
  /** Per app: the tail of this process's queue for its lock. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly slots: Slots;

  constructor(private readonly pool: pg.Pool) {
    this.slots = new Slots(Math.max(1, Math.floor((pool.options.max ?? 10) / 2)));
  }

  with<T>(appId: string, fn: () => Promise<T>): Promise<T> {
    return this.withReading(appId, [], () => fn()) as Promise<T>;
  }

  /**
   * `with`, whose `fn` gets the results of `read`, sent in the lock's own round trip right after it
   * (a batch, see db/sql-batch.ts): each statement of a batch takes its own snapshot, so they see
   * everything committed before the lock was granted. With `wait` false, `fn` runs only if the lock
   * is free right now (undefined otherwise).
   */
  withReading<T>(appId: string, read: readonly Execution[], fn: (results: pg.QueryResult[]) => Promise<T>, wait = true): Promise<T | undefined> {
    if (!wait && (this.queues.has(appId) || !this.slots.free())) return Promise.resolve(undefined);
    return this.queued(appId, () => this.advisory(appId, read, fn, wait));
  }

  /**
   * Runs `fn` in the app's turn of this process's queue, holding no connection and no slot of its
   * own: `fn` takes the advisory lock for its steps with `turn.locked`. With `wait` false, `fn` runs
   * only if the app has no turn queued and a slot is free right now (undefined otherwise).
   */
  inTurn<T>(appId: string, fn: (turn: AppTurn) => Promise<T>, wait = true): Promise<T | undefined> {
    if (!wait && (this.queues.has(appId) || !this.slots.free())) return Promise.resolve(undefined);
    const turn: AppTurn = { locked: (read, step, waitStep = wait) => this.advisory(appId, read, step, waitStep) };
    return this.queued(appId, () => fn(turn));
  }

  private async advisory<T>(appId: string, read: readonly Execution[], fn: (results: pg.QueryResult[]) => Promise<T>, wait: boolean): Promise<T | undefined> {
    // The slot bounds the holders that may want a second connection: one that is only unlocking
    // wants none, so it gives its slot to the next holder (of another app) before the unlock.
    const slot = await this.slots.take();
    try {
      const client = await this.pool.connect();
      try {
        const results = await runBatch(client, [execution(wait ? lockAndWait : tryLock, [appLockNamespace, appId]), ...read]);
        if (!results[0]?.rows[0]?.ok) return undefined;
        try {
          return await fn(results.slice(1));
        } finally {
          slot.give();
          // Named: prepared once per connection. Sent, not awaited: the connection goes back to the pool
          // with the unlock first in its queue, so its next user and every other connection waiting for
          // the lock come after it, and the caller is answered a round trip sooner. It can only fail with
          // the connection, whose end releases the lock anyway (the pool drops a broken client).
          client
            .query({ name: 'paas_app_unlock', text: 'SELECT pg_advisory_unlock($1, hashtext($2))', values: [appLockNamespace, appId] })
            .catch(() => undefined);
        }
      } finally {
        client.release();
      }
    } finally {
      slot.give();
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

  /** Waits for a slot; `give` hands it back (once, however often it is called). */
  async take(): Promise<{ give: () => void }> {
    if (this.available > 0) this.available--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let held = true;
    return {
      give: () => {
        if (!held) return;
        held = false;
        const next = this.waiting.shift();
        if (next) next();
        else this.available++;
      },
    };
  }
}

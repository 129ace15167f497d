import type pg from 'pg';

/** A pool or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>;

/** PostgreSQL error code for unique violations. */
export const uniqueViolation = '23505';

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === uniqueViolation && (constraint === undefined || e.constraint === constraint);
}

/** Work to do once a transaction has committed, per client in a transaction (see afterCommit). */
const commitHooks = new WeakMap<object, (() => void)[]>();

/**
 * Runs `fn` once what `db` wrote is committed: at once when `db` is not in a transaction begun by
 * inTransaction (or withTransactionHooks), else after its COMMIT; never when it rolls back. For
 * announcing a change (webhook events) only once it is real.
 */
export function afterCommit(db: Queryable, fn: () => void): void {
  const hooks = commitHooks.get(db);
  if (hooks) hooks.push(fn);
  else fn();
}

/** Marks `client` as in a transaction whose after-commit work is collected (call before BEGIN). */
export function collectCommitHooks(client: object): void {
  commitHooks.set(client, []);
}

/** After COMMIT: runs the collected work (a throw is not the transaction's: it is swallowed). Else drops it. */
export function endCommitHooks(client: object, committed: boolean): void {
  const hooks = commitHooks.get(client) ?? [];
  commitHooks.delete(client);
  if (!committed) return;
  for (const fn of hooks) {
    try {
      fn();
    } catch {
      // the announcer logs its own failures
    }
  }
}

/** Runs `fn` in a transaction on a client of its own. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let committed = false;
  collectCommitHooks(client);
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    committed = true;
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    endCommitHooks(client, committed);
    client.release();
  }
}

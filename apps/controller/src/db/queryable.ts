import type pg from 'pg';

/** A pool or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>;

/** PostgreSQL error code for unique violations. */
export const uniqueViolation = '23505';

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === uniqueViolation && (constraint === undefined || e.constraint === constraint);
}

/** Runs `fn` in a transaction on a client of its own. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

import type pg from 'pg';

/** A value a batched statement takes: sent as a parameter (arrays as PostgreSQL arrays, objects as JSON). */
export type BatchValue = string | number | boolean | null | undefined | readonly (string | number)[] | Record<string, unknown>;

/** A statement run by name in batches: parsed and planned once per connection (a named prepared statement). */
export interface Prepared {
  name: string;
  /** The statement, with `$n` parameters. */
  sql: string;
}

/** One prepared statement's run in a batch, with its values. */
export interface Execution {
  statement: Prepared;
  params: readonly BatchValue[];
}

export const prepared = (name: string, sql: string): Prepared => ({ name: `paas_${name}`, sql });
export const execution = (statement: Prepared, params: readonly BatchValue[]): Execution => ({ statement, params });

/**
 * Runs `steps` in order on `client` and answers their results: plain statements (`BEGIN`) and prepared
 * ones with their values as parameters. They are all handed to the driver at once: on a connection in
 * pipeline mode (the controller's pools: see database-pool.ts and test-database.ts) they go in ONE round
 * trip, and the server still runs them one after the other, each with its own snapshot (a statement
 * after a lock sees what was committed before the lock was granted). Rejects with the first failure,
 * after every step has answered.
 */
export async function runBatch(client: pg.ClientBase, steps: readonly (string | Execution)[]): Promise<pg.QueryResult[]> {
  const sent = steps.map((s) =>
    typeof s === 'string' ? client.query(s) : client.query({ name: s.statement.name, text: s.statement.sql, values: [...s.params] }),
  );
  const settled = await Promise.allSettled(sent);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  return settled.map((r) => (r as PromiseFulfilledResult<pg.QueryResult>).value);
}

import type pg from 'pg';
import { sqlLiteral, type InlineValue } from './inline-sql.js';

/** A statement run by name in batches: prepared once per connection, so it is not planned again. */
export interface Prepared {
  name: string;
  /** The statement, with `$n` parameters. */
  sql: string;
}

/** One prepared statement's run in a batch, with its values (written as literals: see inline-sql.ts). */
export interface Execution {
  statement: Prepared;
  params: readonly InlineValue[];
}

/** The prepared statements of a connection live on its client, and go with it. */
const preparedOn = Symbol('paas.prepared');
type Tracked = pg.ClientBase & { [preparedOn]?: Set<string> };

export const prepared = (name: string, sql: string): Prepared => ({ name: `paas_${name}`, sql });
export const execution = (statement: Prepared, params: readonly InlineValue[]): Execution => ({ statement, params });

/**
 * Runs `steps` as ONE simple query (one round trip): plain statements without parameters (`BEGIN`),
 * and prepared statements, EXECUTEd with their values as literals. Each statement takes its own
 * snapshot. A batch cannot carry parameters, and an unprepared statement would be planned on every
 * run, which costs PostgreSQL more than running it; so the prepared ones are PREPAREd on a connection
 * the first time a batch there needs them (one more round trip, once).
 */
export async function runBatch(client: pg.ClientBase, steps: readonly (string | Execution)[]): Promise<pg.QueryResult[]> {
  const sql = steps.map((s) => (typeof s === 'string' ? s : `EXECUTE ${s.statement.name}${s.params.length ? `(${s.params.map((p) => sqlLiteral(p)).join(', ')})` : ''}`));
  await prepare(client as Tracked, steps.flatMap((s) => (typeof s === 'string' ? [] : [s.statement])));
  const results = (await client.query(sql.join(';\n'))) as unknown as pg.QueryResult | pg.QueryResult[];
  return Array.isArray(results) ? results : [results];
}

async function prepare(client: Tracked, statements: readonly Prepared[]): Promise<void> {
  const done = (client[preparedOn] ??= new Set());
  const missing = [...new Map(statements.filter((s) => !done.has(s.name)).map((s) => [s.name, s])).values()];
  if (missing.length === 0) return;
  try {
    await client.query(missing.map((s) => `PREPARE ${s.name} AS ${s.sql}`).join(';\n'));
    for (const s of missing) done.add(s.name);
  } catch (err) {
    // Some may have been prepared before one failed (PREPARE is not undone by the rollback).
    const { rows } = await client.query<{ name: string }>('SELECT name FROM pg_prepared_statements').catch(() => ({ rows: [] }));
    for (const r of rows) done.add(r.name);
    throw err;
  }
}

import pg from 'pg';
import type { Logger } from '@paas/shared';
import { databaseUnavailable, isDatabaseGone } from '../api/library-errors.js';

type ConnectCallback = (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

/** Socket errors: through this pool they can only be the database's connection failing. */
const socketErrors = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

function connectionLost(err: unknown): boolean {
  return isDatabaseGone(err) || socketErrors.has(String((err as { code?: unknown } | null)?.code));
}

/** A connection-level failure becomes database_unavailable; anything else (a constraint, a syntax error) is left as it is. */
function classify(err: unknown): unknown {
  return connectionLost(err) ? databaseUnavailable(err) : err;
}

const wrapped = Symbol('paas.database-pool.wrapped');

/**
 * The controller's PostgreSQL pool, made to live through a database that stops, restarts or cannot be
 * reached: a connection that cannot be made or that breaks under a query is `database_unavailable`
 * (503, retryable) for whoever asked; every connection has an error listener (a broken idle or
 * checked-out connection is dropped, never an uncaught 'error' that ends the process); a connection
 * whose query failed that way is destroyed when released rather than handed to the next caller; and
 * connecting gives up after a deadline instead of waiting for ever on an unreachable server. Nothing is
 * kept between outages: when the server answers again the next connection simply works.
 */
export class DatabasePool extends pg.Pool {
  constructor(config: pg.PoolConfig, log: Logger) {
    // pipeline: statements handed over together go in one round trip (db/sql-batch.ts)
    super({ connectionTimeoutMillis: 5000, keepAlive: true, pipeline: true, ...config } as pg.PoolConfig);
    let warned = 0;
    // Idle connections that break (the server restarted): the pool has dropped them already.
    this.on('error', (err) => {
      // One line per outage, not one per pooled connection.
      if (Date.now() - warned > 10_000) log.warn({ err: err.message }, 'a database connection was lost; the pool reconnects on demand');
      warned = Date.now();
    });
    // Connections in use that break: their queries fail (their callers see the error), the event must not end the process.
    this.on('connect', (client) => {
      client.on('error', (err) => log.debug({ err: err.message }, 'a database connection in use was lost'));
    });
    // pool.query: a connection failure under the query is database_unavailable too (same types for callers).
    const query = pg.Pool.prototype.query.bind(this) as (...a: unknown[]) => unknown;
    this.query = ((...args: unknown[]) => {
      const result = query(...args);
      return result instanceof Promise ? result.catch((err: unknown) => Promise.reject(classify(err))) : result;
    }) as pg.Pool['query'];
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    if (callback) {
      super.connect((err, client, done) => callback(err ? databaseUnavailable(err) : undefined, client, done));
      return;
    }
    return super.connect().then(
      (client) => guard(client),
      (err: unknown) => {
        throw databaseUnavailable(err);
      },
    );
  }
}

/**
 * A checked-out connection: its queries' connection failures are database_unavailable, and once one
 * has failed so, releasing it destroys it (the server may not have closed its socket yet).
 */
function guard(client: pg.PoolClient): pg.PoolClient {
  const c = client as pg.PoolClient & { [wrapped]?: { broken: boolean } };
  if (!c[wrapped]) {
    const state = { broken: false };
    c[wrapped] = state;
    const query = c.query.bind(c) as (...a: unknown[]) => unknown;
    c.query = ((...args: unknown[]) => {
      const result = query(...args);
      if (!(result instanceof Promise)) return result;
      return result.catch((err: unknown) => {
        if (connectionLost(err)) state.broken = true;
        return Promise.reject(classify(err));
      });
    }) as typeof c.query;
  }
  const state = c[wrapped]!;
  state.broken = false;
  // pg-pool gives each checkout a fresh release.
  const release = c.release.bind(c);
  c.release = ((err?: Error | boolean) => release(err ?? (state.broken ? true : undefined))) as typeof c.release;
  return c;
}

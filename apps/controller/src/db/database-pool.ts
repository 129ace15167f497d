import pg from 'pg';
import type { Logger } from '@paas/shared';
import { databaseUnavailable } from '../api/library-errors.js';

type ConnectCallback = (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

/**
 * The controller's PostgreSQL pool, made to live through a database that stops, restarts or cannot be
 * reached: a connection that cannot be made is `database_unavailable` (503, retryable) for whoever
 * asked, every connection has an error listener (a broken idle or checked-out connection is dropped,
 * never an uncaught 'error' that ends the process), and connecting gives up after a deadline instead
 * of waiting for ever on an unreachable server. Nothing is kept between outages: when the server
 * answers again the next connection simply works.
 */
export class DatabasePool extends pg.Pool {
  constructor(config: pg.PoolConfig, log: Logger) {
    super({ connectionTimeoutMillis: 5000, keepAlive: true, ...config });
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
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    if (callback) {
      super.connect((err, client, done) => callback(err ? databaseUnavailable(err) : undefined, client, done));
      return;
    }
    return super.connect().catch((err: unknown) => {
      throw databaseUnavailable(err);
    });
  }
}

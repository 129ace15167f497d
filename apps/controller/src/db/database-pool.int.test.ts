import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { AppError, createLogger } from '@paas/shared';
import { DatabasePool } from './database-pool.js';
import { eventually, testDatabaseAdminUrl } from '@paas/test-kit';

const log = createLogger('test', 'silent');

/**
 * The controller's pool against a server that goes away: connections of its own are terminated on
 * the shared PostgreSQL (pg_terminate_backend, as a restart does to every session), nothing else is
 * touched. Without its listeners, each of these would be an uncaught 'error' ending the process.
 */
test('connections terminated by the server, idle or in use, do not end the process; the pool reconnects', async () => {
  const pool = new DatabasePool({ connectionString: testDatabaseAdminUrl(), max: 2 }, log);
  const admin = new pg.Client({ connectionString: testDatabaseAdminUrl() });
  await admin.connect();
  try {
    const terminate = (pid: number) => admin.query('SELECT pg_terminate_backend($1)', [pid]);
    // Idle in the pool.
    const idle = await pool.connect();
    const idlePid = (await idle.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    idle.release();
    await terminate(idlePid);
    // The pool drops it when the server's goodbye arrives (and emits 'error', which only its own listener hears).
    await eventually(() => pool.totalCount === 0, 'the pool to drop the terminated client');
    // Checked out, between queries.
    const busy = await pool.connect();
    const busyPid = (await busy.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await terminate(busyPid);
    // Rejected once the connection's end is seen, which is also when the client emits 'error'.
    await assert.rejects(busy.query('SELECT pg_sleep(5)'), (err: unknown) => err instanceof AppError && err.code === 'database_unavailable');
    // Released after that, it is destroyed, not handed to the next caller.
    busy.release();
    // The next query gets a fresh connection.
    assert.equal((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one, 1);
    // An ordinary SQL error is left as it is, and its connection stays usable.
    const client = await pool.connect();
    await assert.rejects(client.query('SELECT nope'), (err: unknown) => !(err instanceof AppError) && (err as { code?: string }).code === '42703');
    assert.equal((await client.query<{ two: number }>('SELECT 2 AS two')).rows[0]!.two, 2);
    client.release();
    await assert.rejects(pool.query('SELECT nope'), (err: unknown) => !(err instanceof AppError));
  } finally {
    await admin.end();
    await pool.end();
  }
});

test('a server that does not answer is database_unavailable (503, retryable), for connect and query alike', async () => {
  // A port nothing listens on.
  const url = new URL(testDatabaseAdminUrl());
  url.port = '9';
  const pool = new DatabasePool({ connectionString: url.toString(), max: 1, connectionTimeoutMillis: 2000 }, log);
  try {
    const isUnavailable = (err: unknown) => err instanceof AppError && err.code === 'database_unavailable' && err.status === 503 && err.retryable;
    await assert.rejects(pool.connect(), isUnavailable);
    await assert.rejects(pool.query('SELECT 1'), isUnavailable);
  } finally {
    await pool.end();
  }
});

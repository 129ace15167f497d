import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from './migrator.js';
import { testDatabaseAdminUrl } from '@paas/test-kit';

/** A fresh, migrated PostgreSQL database for one test suite, dropped by `drop()`. */
export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** `migrated: false` leaves the database empty (for tests of the migrations themselves). */
export async function createTestDatabase(options: { poolMax?: number; migrated?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = testDatabaseAdminUrl();
  const name = `paas_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  // pipelined like the controller's pool (db/database-pool.ts)
  const pool = new pg.Pool({ connectionString: url.toString(), max: options.poolMax ?? 10, pipeline: true } as pg.PoolConfig);
  if (options.migrated !== false) await migrate(pool);
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      // pool.end() resolves once its clients are told to close, not once the server has seen them
      // go: dropping WITH (FORCE) before then terminates a connection that is still closing, whose
      // client reports it as an uncaught error. Wait (briefly) for them to be gone.
      for (let i = 0; i < 50; i++) {
        const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
        if (rows[0]!.n === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

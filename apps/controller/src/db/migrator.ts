import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

/** The repository's migrations/ folder (same depth from src/ and dist/). */
export const defaultMigrationsDir = fileURLToPath(new URL('../../../../migrations/', import.meta.url));

/** Arbitrary constant: the advisory lock that serialises migrations across processes. */
const migrationLockKey = 727_001;

/**
 * Work a migration needs done in code before its SQL runs (e.g. encrypting what it is about to drop),
 * by the migration's number (`'011'`); it runs in the migration's transaction.
 */
export type MigrationHooks = Record<string, (tx: pg.PoolClient) => Promise<unknown>>;

/**
 * Applies numbered SQL files (`001_initial.sql`, `002_….sql`) once each, in order, each in its own
 * transaction, under a PostgreSQL advisory lock so concurrent starters never race.
 * Returns the names applied by this call.
 */
export async function migrate(pool: pg.Pool, dir = defaultMigrationsDir, hooks: MigrationHooks = {}): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_[\w-]+\.sql$/.test(f)).sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [migrationLockKey]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(join(dir, file), 'utf8');
      await client.query('BEGIN');
      try {
        await hooks[file.split('_')[0]!]?.(client);
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(file);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [migrationLockKey]).catch(() => undefined);
    client.release();
  }
  return applied;
}

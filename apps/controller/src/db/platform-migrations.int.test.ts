// Migration 011 against real PostgreSQL: plaintext config left by an old schema is encrypted before
// its columns are dropped, and a platform secret that cannot open the stored config is refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SecretMismatchError } from '../auth/platform-secret.js';
import { getConfigVars } from './config-vars.js';
import { defaultMigrationsDir, migrate } from './migrator.js';
import { migratePlatform } from './platform-migrations.js';
import { currentRelease } from './releases.js';
import { createTestDatabase } from './test-database.js';
import { SecretBox } from '@paas/shared';

const secret = 'a'.repeat(32);
const otherSecret = 'b'.repeat(32);

/** The schema as it was before 011: a copy of the migrations folder without 011 and later. */
async function migrationsBefore011(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paas-migrations-'));
  for (const f of await readdir(defaultMigrationsDir)) {
    if (/^\d+_/.test(f) && Number(f.split('_')[0]) < 11) await copyFile(join(defaultMigrationsDir, f), join(dir, f));
  }
  return dir;
}

describe('migration 011 and the platform secret', () => {
  let oldDir: string;
  before(async () => {
    oldDir = await migrationsBefore011();
  });
  after(async () => rm(oldDir, { recursive: true, force: true }));

  test('plaintext config of an old schema is encrypted, then its columns are dropped', async () => {
    const db = await createTestDatabase({ poolMax: 3, migrated: false });
    try {
      await migrate(db.pool, oldDir);
      const user = await db.pool.query<{ id: string }>("INSERT INTO users (email, password_hash) VALUES ('old@example.com', 'x') RETURNING id");
      const app = await db.pool.query<{ id: string }>("INSERT INTO apps (name, owner_id) VALUES ('legacy', $1) RETURNING id", [user.rows[0]!.id]);
      const appId = app.rows[0]!.id;
      await db.pool.query("INSERT INTO config_vars (app_id, key, value) VALUES ($1, 'OLD', 'plain')", [appId]);
      await db.pool.query(
        `INSERT INTO releases (app_id, version, image, config, description, status) VALUES ($1, 1, 'img:1', '{"OLD":"plain"}', 'old', 'succeeded')`,
        [appId],
      );
      // Without the controller's encryption step, 011 refuses rather than lose the values.
      await assert.rejects(migrate(db.pool), /still stored in plaintext/);

      const cipher = new SecretBox(secret, 'config vars');
      const applied = await migratePlatform(db.pool, cipher);
      assert.equal(applied[0], '011_sessions_one_offs_secret_check.sql', 'the encryption step, then 011, then the later migrations');
      const columns = await db.pool.query<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns
          WHERE (table_name = 'config_vars' AND column_name = 'value') OR (table_name = 'releases' AND column_name = 'config')`,
      );
      assert.deepEqual(columns.rows, [], 'the plaintext columns are gone');
      assert.deepEqual(await getConfigVars(db.pool, cipher, appId), { OLD: 'plain' });
      assert.deepEqual((await currentRelease(db.pool, cipher, appId))?.config, { OLD: 'plain' });
      const dump = await db.pool.query(`SELECT string_agg(t::text, ' ') AS all FROM (SELECT * FROM config_vars) t`);
      assert.ok(!String(dump.rows[0].all).includes('plain'));

      // Started again with another secret (a fresh PAAS_HOME), the platform refuses.
      await assert.rejects(migratePlatform(db.pool, new SecretBox(otherSecret, 'config vars')), SecretMismatchError);
      assert.deepEqual(await migratePlatform(db.pool, cipher), [], 'the right secret starts as before');
    } finally {
      await db.drop();
    }
  });

  test('an old database with encrypted config and no check value refuses another secret before migrating', async () => {
    const db = await createTestDatabase({ poolMax: 3, migrated: false });
    try {
      await migrate(db.pool, oldDir);
      const user = await db.pool.query<{ id: string }>("INSERT INTO users (email, password_hash) VALUES ('old@example.com', 'x') RETURNING id");
      const app = await db.pool.query<{ id: string }>("INSERT INTO apps (name, owner_id) VALUES ('enc', $1) RETURNING id", [user.rows[0]!.id]);
      const appId = app.rows[0]!.id;
      const sealed = new SecretBox(secret, 'config vars').encrypt('v', `config_var:${appId}:K`);
      await db.pool.query("INSERT INTO config_vars (app_id, key, value_enc) VALUES ($1, 'K', $2)", [appId, sealed]);
      await assert.rejects(migratePlatform(db.pool, new SecretBox(otherSecret, 'config vars')), /not the secret this database was set up with/);
      const applied = await db.pool.query("SELECT 1 FROM schema_migrations WHERE name LIKE '011%'");
      assert.equal(applied.rowCount, 0, 'nothing was migrated with the wrong secret');
      await migratePlatform(db.pool, new SecretBox(secret, 'config vars'));
      assert.deepEqual(await getConfigVars(db.pool, new SecretBox(secret, 'config vars'), appId), { K: 'v' });
    } finally {
      await db.drop();
    }
  });

  test("npm run up's check refuses a fresh secret against an existing database, naming the way out", async () => {
    const db = await createTestDatabase({ poolMax: 3, migrated: false });
    try {
      await migratePlatform(db.pool, new SecretBox(secret, 'config vars')); // stores the check value of `secret`
      const script = fileURLToPath(new URL('../check-secret.ts', import.meta.url));
      const run = (s: string) =>
        new Promise<{ code: number; stderr: string }>((resolve) => {
          execFile(
            process.execPath,
            ['--conditions=development', '--import', 'tsx', script],
            { env: { ...process.env, DATABASE_URL: db.url, PAAS_SECRET: s } },
            (err, _stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
          );
        });
      const bad = await run(otherSecret);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /PAAS_SECRET is not the secret this database was set up with/);
      assert.match(bad.stderr, /PAAS_HOME/);
      assert.equal((await run(secret)).code, 0);
    } finally {
      await db.drop();
    }
  });
});

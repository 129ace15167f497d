import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from './test-database.js';
import { migrate } from './migrator.js';

test('migrations apply once each, also when started concurrently', async () => {
  const db = await createTestDatabase();
  try {
    const again = await Promise.all([migrate(db.pool), migrate(db.pool)]);
    assert.deepEqual(again, [[], []]);
    const { rows } = await db.pool.query('SELECT name FROM schema_migrations ORDER BY name');
    assert.ok(rows.length >= 1);
    assert.equal(rows[0].name, '001_initial.sql');
    const tables = await db.pool.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    for (const t of ['users', 'apps', 'builds', 'releases', 'formation', 'config_vars', 'api_tokens'])
      assert.ok(tables.rows.some((r) => r.tablename === t), t);
  } finally {
    await db.drop();
  }
});

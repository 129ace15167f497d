import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { execution, prepared, runBatch } from './sql-batch.js';

/** Batches against a real PostgreSQL, on a pipelined connection like the controller's. */
describe('runBatch', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db.drop());

  const plus = prepared('test_plus', 'SELECT $1::int + $2::int AS n');
  const types = prepared('test_types', 'SELECT cardinality($1::text[]) AS n, $2::jsonb AS j, $3::uuid IS NULL AS none, $4::text AS s');

  test('plain and prepared statements answer in order; a prepared one runs again on the same connection', async () => {
    const client = await db.pool.connect();
    try {
      const results = await runBatch(client, ['SELECT 1 AS one', execution(plus, [2, 3]), execution(types, [['a', 'b'], { k: 'v' }, null, 'x'])]);
      assert.deepEqual(
        results.map((r) => r.rows[0]),
        [{ one: 1 }, { n: 5 }, { n: 2, j: { k: 'v' }, none: true, s: 'x' }],
      );
      assert.deepEqual((await runBatch(client, [execution(plus, [40, 2])]))[0]!.rows, [{ n: 42 }]);
    } finally {
      client.release();
    }
  });

  test('values are parameters: quotes, backslashes and SQL arrive as they are, and nothing else runs', async () => {
    const client = await db.pool.connect();
    try {
      const hostile = ["x'); DROP TABLE users; --", "o'brien", 'back\\slash', '$1', '"quoted"', 'ünïcode'];
      for (const s of hostile) {
        const [r] = await runBatch(client, [execution(types, [[s], { k: s }, null, s])]);
        assert.deepEqual(r!.rows[0], { n: 1, j: { k: s }, none: true, s });
      }
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
      assert.equal(rows[0]!.n, 0);
    } finally {
      client.release();
    }
  });

  test('a failing step is reported after every step answered; in a transaction the rest fail with it, and the connection stays usable', async () => {
    const client = await db.pool.connect();
    try {
      const bad = prepared('test_bad', 'SELECT * FROM no_such_table');
      await assert.rejects(runBatch(client, ['BEGIN', execution(plus, [1, 1]), execution(bad, []), execution(plus, [2, 2])]), /no_such_table/);
      await client.query('ROLLBACK');
      assert.deepEqual((await runBatch(client, [execution(plus, [1, 2])]))[0]!.rows, [{ n: 3 }]);
      await assert.rejects(runBatch(client, [execution(plus, ['not a number', 1])]), /invalid input syntax/);
      assert.deepEqual((await runBatch(client, [execution(plus, [2, 2])]))[0]!.rows, [{ n: 4 }]);
    } finally {
      client.release();
    }
  });
});

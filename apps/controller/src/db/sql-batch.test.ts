import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { execution, prepared, runBatch } from './sql-batch.js';

/** Batches against a real PostgreSQL: one round trip, statements prepared once per connection. */
describe('runBatch', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db.drop());

  /** The SQL texts a client sends while `fn` runs. */
  async function sent(client: pg.PoolClient, fn: () => Promise<unknown>): Promise<string[]> {
    const texts: string[] = [];
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
      texts.push(typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text);
      return query(...args);
    };
    try {
      await fn();
    } finally {
      (client as unknown as { query: unknown }).query = query;
    }
    return texts;
  }

  const plus = prepared('test_plus', 'SELECT $1::int + $2::int AS n');
  const types = prepared('test_types', 'SELECT cardinality($1::text[]) AS n, $2::jsonb AS j, $3::uuid IS NULL AS none');

  test('plain and prepared statements go in one round trip; PREPARE only the first time on a connection', async () => {
    const client = await db.pool.connect();
    try {
      let results: pg.QueryResult[] = [];
      const first = await sent(client, async () => {
        results = await runBatch(client, ['SELECT 1 AS one', execution(plus, [2, 3]), execution(types, [['a', 'b'], { k: 'v' }, null])]);
      });
      assert.equal(first.length, 2);
      assert.match(first[0]!, /^PREPARE paas_test_plus AS/);
      assert.deepEqual(results.map((r) => r.rows[0]), [{ one: 1 }, { n: 5 }, { n: 2, j: { k: 'v' }, none: true }]);
      const second = await sent(client, async () => {
        results = await runBatch(client, [execution(plus, [40, 2])]);
      });
      assert.deepEqual(second, ['EXECUTE paas_test_plus(40, 2)']);
      assert.deepEqual(results[0]!.rows, [{ n: 42 }]);
    } finally {
      client.release();
    }
  });

  test('a PREPARE that fails is reported; what was prepared before it is remembered', async () => {
    const client = await db.pool.connect();
    try {
      const good = prepared('test_good', 'SELECT 1 AS n');
      const bad = prepared('test_bad', 'SELECT * FROM no_such_table');
      await assert.rejects(runBatch(client, [execution(good, []), execution(bad, [])]), /no_such_table/);
      assert.deepEqual((await runBatch(client, [execution(good, [])]))[0]!.rows, [{ n: 1 }]);
    } finally {
      client.release();
    }
  });

  test('values that could leave their quotes are refused before anything is sent', async () => {
    const client = await db.pool.connect();
    try {
      await assert.rejects(runBatch(client, [execution(types, [["x'); DROP TABLE users; --"], {}, null])]), /refusing to inline/);
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
      assert.equal(rows[0]!.n, 0);
    } finally {
      client.release();
    }
  });
});

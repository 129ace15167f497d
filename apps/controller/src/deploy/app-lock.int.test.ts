// Per-app advisory locks against the real PostgreSQL: one holder at a time per app across two
// controllers (two pools), other apps unaffected, and no lock left behind once the holders are done
// (the unlock is sent as the connection goes back to its pool, not awaited).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import pg from 'pg';
import { AppLocks } from './app-lock.js';

let db: TestDatabase;
let other: pg.Pool;

before(async () => {
  db = await createTestDatabase({ poolMax: 4 });
  other = new pg.Pool({ connectionString: db.url, max: 4 });
});
after(async () => {
  await other.end();
  await db.drop();
});

async function heldLocks(): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
  return rows[0]!.n;
}

test('one holder per app at a time across two controllers; another app is not held up', async () => {
  const a = new AppLocks(db.pool);
  const b = new AppLocks(other);
  const app = randomUUID();
  const events: string[] = [];
  let release!: () => void;
  const first = a.with(app, async () => {
    events.push('a in');
    await new Promise<void>((r) => (release = r));
    events.push('a out');
  });
  while (events.length === 0) await new Promise((r) => setTimeout(r, 5));
  const second = b.with(app, async () => {
    events.push('b in');
  });
  // Another app's lock is free meanwhile.
  await b.with(randomUUID(), async () => {
    events.push('other app');
  });
  release();
  await Promise.all([first, second]);
  assert.deepEqual(events, ['a in', 'other app', 'a out', 'b in']);
});

test('withReading without wait skips an app whose lock another controller holds', async () => {
  const a = new AppLocks(db.pool);
  const b = new AppLocks(other);
  const app = randomUUID();
  let release!: () => void;
  let entered = false;
  const holding = a.with(app, async () => {
    entered = true;
    await new Promise<void>((r) => (release = r));
  });
  while (!entered) await new Promise((r) => setTimeout(r, 5));
  assert.equal(await b.withReading(app, [], async () => 'ran', false), undefined);
  release();
  await holding;
  // The unlock is on its way; once it lands, the lock is free for a try.
  let got: string | undefined;
  for (let i = 0; i < 100 && got === undefined; i++) {
    got = await b.withReading(app, [], async () => 'ran', false);
    if (got === undefined) await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(got, 'ran');
});

test('many holders in a row leave no advisory lock behind', async () => {
  const a = new AppLocks(db.pool);
  const apps = [randomUUID(), randomUUID(), randomUUID()];
  await Promise.all(Array.from({ length: 30 }, (_, i) => a.with(apps[i % 3]!, async () => i)));
  let left = await heldLocks();
  for (let i = 0; i < 100 && left > 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
    left = await heldLocks();
  }
  assert.equal(left, 0);
});

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { failAbandonedBuilds, finishBuild, insertBuild, lostControllerMessage, renewBuildLease } from './builds.js';
import { failAbandonedReleases, promoteRelease, renewReleaseLease } from './releases.js';
import { reconcileReads } from './reconcile-state.js';
import { runBatch } from './sql-batch.js';

let db: TestDatabase;
let userId: string;
const apps: string[] = [];

before(async () => {
  db = await createTestDatabase();
  userId = (await db.pool.query<{ id: string }>("INSERT INTO users (email, password_hash) VALUES ('lease@example.com', 'x') RETURNING id")).rows[0]!.id;
  for (const name of ['live', 'dead', 'old', 'done']) {
    apps.push((await db.pool.query<{ id: string }>('INSERT INTO apps (name, owner_id) VALUES ($1, $2) RETURNING id', [name, userId])).rows[0]!.id);
  }
});
after(async () => {
  await db?.drop();
});

test('a sweep fails only the builds whose lease expired, with a reason; a live controller keeps its builds', async () => {
  const live = await insertBuild(db.pool, apps[0]!, userId, 'a'.repeat(40), { holder: 'controller-a', seconds: 30 });
  const dead = await insertBuild(db.pool, apps[1]!, userId, 'b'.repeat(40), { holder: 'controller-b', seconds: 30 });
  const old = await insertBuild(db.pool, apps[2]!, userId, 'c'.repeat(40));
  const done = await insertBuild(db.pool, apps[3]!, userId, 'd'.repeat(40), { holder: 'controller-b', seconds: 30 });
  await finishBuild(db.pool, done.id, { status: 'failed', error: 'its own failure', output: '' });
  // controller-b died: its lease ran out. A build from before leases has none.
  await db.pool.query("UPDATE builds SET lease_expires_at = now() - interval '1 second' WHERE id = $1", [dead.id]);
  await db.pool.query('UPDATE builds SET lease_expires_at = NULL, lease_holder = NULL WHERE id = $1', [old.id]);

  assert.deepEqual((await failAbandonedBuilds(db.pool)).sort(), [dead.id, old.id].sort());
  const rows = await db.pool.query<{ id: string; status: string; error: string | null }>('SELECT id, status, error FROM builds');
  const by = new Map(rows.rows.map((r) => [r.id, r]));
  assert.equal(by.get(live.id)!.status, 'pending', "a live controller's build is left alone");
  assert.equal(by.get(dead.id)!.status, 'failed');
  assert.equal(by.get(dead.id)!.error, lostControllerMessage);
  assert.equal(by.get(done.id)!.error, 'its own failure', 'an ended build keeps its own outcome');
  assert.deepEqual(await failAbandonedBuilds(db.pool), [], 'a second sweep finds nothing');

  assert.equal(await renewBuildLease(db.pool, live.id, 'controller-a', 30), true);
  assert.equal(await renewBuildLease(db.pool, dead.id, 'controller-a', 30), false, 'an ended build is not leased again');
});

test('a deploy whose lease ran out is failed by the sweep and counts as booting no more; a live one is left alone', async () => {
  const release = async (app: string, version: number): Promise<string> =>
    (
      await db.pool.query<{ id: string }>(
        "INSERT INTO releases (app_id, version, image, config_enc, description) VALUES ($1, $2, 'img', '\\x00', 'test') RETURNING id",
        [app, version],
      )
    ).rows[0]!.id;
  const live = await release(apps[0]!, 2);
  const dead = await release(apps[1]!, 2);
  const fresh = await release(apps[2]!, 2); // no lease yet (between its insert and its deploy): the boot window covers it
  assert.equal(await renewReleaseLease(db.pool, live, 'controller-a', 30), true);
  assert.equal(await renewReleaseLease(db.pool, dead, 'controller-b', 30), true);
  await db.pool.query("UPDATE releases SET lease_expires_at = now() - interval '1 second' WHERE id = $1", [dead]);

  const booting = async (appId: string): Promise<number[]> => {
    const client = await db.pool.connect();
    try {
      const results = await runBatch(client, reconcileReads({ id: appId, owner_id: userId }, 600));
      return (results[2]!.rows[0] as { booting: number[] }).booting;
    } finally {
      client.release();
    }
  };
  assert.deepEqual(await booting(apps[0]!), [2], 'a live lease: its processes are left alone');
  assert.deepEqual(await booting(apps[1]!), [], 'a lease run out: its processes are not booting under anyone');
  assert.deepEqual(await booting(apps[2]!), [2]);

  assert.deepEqual(await failAbandonedReleases(db.pool), [{ app: 'dead', version: 2 }]);
  assert.equal(await promoteRelease(db.pool, dead), false, 'the controller that comes back late cannot promote a rolled-back release');
  assert.equal(await renewReleaseLease(db.pool, dead, 'controller-b', 30), false);
  assert.equal(await promoteRelease(db.pool, live), true);
  const { rows } = await db.pool.query<{ id: string; status: string }>('SELECT id, status FROM releases');
  const status = new Map(rows.map((r) => [r.id, r.status]));
  assert.deepEqual([status.get(live), status.get(dead), status.get(fresh)], ['succeeded', 'failed', 'pending']);
});

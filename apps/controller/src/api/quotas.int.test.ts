// Per-user quotas against the real PostgreSQL: set by admins, counted against the app's owner, and
// enforced atomically where apps, processes and builds are created.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import request from 'supertest';
import { AppError } from '@paas/shared';
import { findAppByName, insertApp } from '../db/apps.js';
import { insertBuild } from '../db/builds.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';

describe('quotas', () => {
  let h: ApiHarness;
  let admin: Awaited<ReturnType<ApiHarness['user']>>;

  before(async () => {
    h = await createApiHarness({ defaultQuota: { apps: 3, processes: 10, memory_mb: 512, builds: 1 } });
    admin = await h.user('root@example.com', 'admin');
  });
  after(async () => h.close());

  const setQuota = (email: string, body: object) => request(h.app).put(`/admin/users/${email}/quota`).set(as(admin)).send(body);

  test('admins read and set quotas; unset limits are the platform default', async () => {
    const u = await h.user('q1@example.com');
    const initial = await request(h.app).get('/admin/users/q1@example.com/quota').set(as(admin));
    assert.equal(initial.status, 200);
    assert.deepEqual(initial.body.limits, { apps: 3, processes: 10, memory_mb: 512, builds: 1 });
    assert.deepEqual(initial.body.overrides, { apps: null, processes: null, memory_mb: null, builds: null });
    assert.deepEqual(initial.body.usage, { apps: 0, processes: 0, builds: 0 });

    const set = await setQuota(u.user.id, { apps: 1, processes: 2 });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body.limits, { apps: 1, processes: 2, memory_mb: 512, builds: 1 });
    const more = await setQuota('q1@example.com', { memory_mb: 256, apps: null });
    assert.deepEqual(more.body.limits, { apps: 3, processes: 2, memory_mb: 256, builds: 1 }, 'null resets to the default, others are kept');

    for (const bad of [{}, { apps: -1 }, { apps: 1.5 }, { apps: '3' }, { memory_mb: 0 }, { memory: 5 }]) {
      const res = await setQuota('q1@example.com', bad);
      assert.equal(res.status, 422, JSON.stringify(bad));
    }
    assert.equal((await setQuota('nobody@example.com', { apps: 1 })).status, 404);
    assert.equal((await request(h.app).put('/admin/users/q1@example.com/quota').set(as(u)).send({ apps: 100 })).status, 403);
  });

  test('app creation stops at the apps quota, with a message naming it', async () => {
    const u = await h.user('q2@example.com');
    await setQuota('q2@example.com', { apps: 2 });
    await request(h.app).post('/apps').set(as(u)).send({ name: 'q2-one' }).expect(201);
    await request(h.app).post('/apps').set(as(u)).send({ name: 'q2-two' }).expect(201);
    const third = await request(h.app).post('/apps').set(as(u)).send({ name: 'q2-three' });
    assert.equal(third.status, 403);
    assert.equal(third.body.id, 'quota_exceeded');
    assert.match(third.body.message, /quota of 2 apps/);
    assert.equal(await findAppByName(h.db.pool, 'q2-three'), undefined);
  });

  test('two concurrent app creations cannot both slip under the limit', async () => {
    const u = await h.user('q3@example.com');
    await setQuota('q3@example.com', { apps: 1 });
    for (let round = 0; round < 5; round++) {
      await h.db.pool.query('DELETE FROM apps WHERE owner_id = $1', [u.user.id]);
      const results = await Promise.all(
        ['a', 'b', 'c'].map((x) => request(h.app).post('/apps').set(as(u)).send({ name: `q3-${round}-${x}` })),
      );
      assert.deepEqual(results.map((r) => r.status).sort(), [201, 403, 403], `round ${round}`);
      const { rows } = await h.db.pool.query('SELECT count(*)::int AS n FROM apps WHERE owner_id = $1', [u.user.id]);
      assert.equal(rows[0].n, 1);
    }
  });

  test('scaling counts processes across all the owner’s apps; scaling down is always allowed', async () => {
    const u = await h.user('q4@example.com');
    const { app: a } = await deployedApp(h, 'q4-a', u.user.id);
    await deployedApp(h, 'q4-b', u.user.id);
    await setQuota('q4@example.com', { processes: 3 });
    const scale = (app: string, quantity: number, type = 'web') =>
      request(h.app).patch(`/apps/${app}/formation`).set(as(u)).send({ updates: [{ type, quantity }] });
    assert.equal((await scale('q4-a', 2)).status, 200); // 2 + 1 = 3
    const over = await scale('q4-b', 1, 'worker');
    assert.equal(over.status, 403);
    assert.equal(over.body.id, 'quota_exceeded');
    assert.match(over.body.message, /quota of 3 processes/);
    assert.deepEqual((await h.runtime.list({ app: 'q4-b' })).map((p) => p.name), ['web.1'], 'nothing was started');
    // The check and the write are one statement: a refusal writes neither the formation nor an audit event.
    const written = await h.db.pool.query(
      "SELECT (SELECT count(*)::int FROM formation f JOIN apps a ON a.id = f.app_id WHERE a.name = 'q4-b' AND f.type = 'worker') AS worker, (SELECT count(*)::int FROM audit_events WHERE app = 'q4-b' AND action = 'formation.update') AS audited",
    );
    assert.deepEqual(written.rows[0], { worker: 0, audited: 0 });
    const unknown = await scale('q4-a', 1, 'clock');
    assert.equal(unknown.status, 422);
    assert.match(unknown.body.message, /no clock process type in v1 \(its types: web, worker\)/);

    // Lowering the quota below usage does not stop anything, and scaling down still works.
    await setQuota('q4@example.com', { processes: 1 });
    assert.equal((await scale('q4-a', 1)).status, 200);
    assert.equal((await scale('q4-a', 2)).status, 403);
    const report = await request(h.app).get('/admin/users/q4@example.com/quota').set(as(admin));
    assert.equal(report.body.usage.processes, 2);
    assert.equal(a.owner_email, 'q4@example.com');
  });

  test('two concurrent scale requests racing the limit: exactly one wins', async () => {
    const u = await h.user('q5@example.com');
    await deployedApp(h, 'q5-a', u.user.id);
    await deployedApp(h, 'q5-b', u.user.id);
    for (let round = 0; round < 5; round++) {
      await h.db.pool.query(
        "UPDATE formation f SET quantity = 1 FROM apps a WHERE a.id = f.app_id AND a.owner_id = $1 AND f.type = 'web'",
        [u.user.id],
      );
      await setQuota('q5@example.com', { processes: 3 });
      const [x, y] = await Promise.all(
        ['q5-a', 'q5-b'].map((app) =>
          request(h.app).patch(`/apps/${app}/formation`).set(as(u)).send({ updates: [{ type: 'web', quantity: 2 }] }),
        ),
      );
      assert.deepEqual([x!.status, y!.status].sort(), [200, 403], `round ${round}`);
      const report = await request(h.app).get('/admin/users/q5@example.com/quota').set(as(admin));
      assert.equal(report.body.usage.processes, 3);
    }
  });

  test('collaborators deploy and scale on the owner’s quota', async () => {
    const owner = await h.user('q6@example.com');
    const collab = await h.user('q6c@example.com');
    await deployedApp(h, 'q6-app', owner.user.id, { collaborators: [collab.user.id] });
    await setQuota('q6@example.com', { processes: 2 });
    await setQuota('q6c@example.com', { processes: 100 });
    const res = await request(h.app).patch('/apps/q6-app/formation').set(as(collab)).send({ updates: [{ type: 'web', quantity: 3 }] });
    assert.equal(res.status, 403);
    assert.match(res.body.message, /q6@example\.com.*quota of 2 processes/);
    const ok = await request(h.app).patch('/apps/q6-app/formation').set(as(collab)).send({ updates: [{ type: 'worker', quantity: 1 }] });
    assert.equal(ok.status, 200);
  });

  test('concurrent builds are limited per owner, across their apps', async () => {
    const u = await h.user('q7@example.com');
    await setQuota('q7@example.com', { builds: 1 });
    const a = await insertApp(h.db.pool, 'q7-a', u.user.id);
    await insertApp(h.db.pool, 'q7-b', u.user.id);
    await insertBuild(h.db.pool, a, u.user.id, 'c'.repeat(40)); // one under way
    const app = (await findAppByName(h.db.pool, 'q7-b'))!;
    const lines: string[] = [];
    await assert.rejects(
      h.pushService.push({ app, user: u.user, commit: 'd'.repeat(40), source: Readable.from([Buffer.from('tar')]), say: (l) => lines.push(l) }),
      (err: AppError) => err.code === 'quota_exceeded' && /quota of 1 concurrent build/.test(err.message),
    );
    const { rows } = await h.db.pool.query('SELECT count(*)::int AS n FROM builds b JOIN apps a ON a.id = b.app_id WHERE a.owner_id = $1', [u.user.id]);
    assert.equal(rows[0].n, 1, 'the refused push recorded no build');
  });

  test('a first deploy needs room for its web process', async () => {
    const u = await h.user('q8@example.com');
    await deployedApp(h, 'q8-a', u.user.id);
    await setQuota('q8@example.com', { processes: 1 });
    await insertApp(h.db.pool, 'q8-b', u.user.id);
    const app = (await findAppByName(h.db.pool, 'q8-b'))!;
    await assert.rejects(
      h.pushService.push({ app, user: u.user, commit: 'e'.repeat(40), source: Readable.from([Buffer.from('tar')]), say: () => {} }),
      (err: AppError) => err.code === 'quota_exceeded' && /quota of 1 process\b/.test(err.message),
    );
  });

  test('memory per process is checked against the owner’s quota', async () => {
    const u = await h.user('q9@example.com');
    await setQuota('q9@example.com', { memory_mb: 256 });
    await h.access.quotas.assertMemory(u.user.id, 256);
    await assert.rejects(h.access.quotas.assertMemory(u.user.id, 512), (err: AppError) =>
      err.code === 'quota_exceeded' && /quota of 256 MB of memory per process/.test(err.message),
    );
  });
});

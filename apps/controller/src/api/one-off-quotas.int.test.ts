// One-off processes count against the owner's processes quota (reserved atomically, like a scale),
// and processes without a memory limit of their own run with the platform default within the
// owner's memory quota: against the real PostgreSQL, with the in-memory runtime.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';

describe('one-offs and memory within the quotas', () => {
  let h: ApiHarness;
  let admin: Awaited<ReturnType<ApiHarness['user']>>;

  before(async () => {
    h = await createApiHarness({ defaultQuota: { apps: 10, processes: 10, memory_mb: 1024, builds: 1 }, defaultMemoryMb: 512 });
    admin = await h.user('root@example.com', 'admin');
  });
  after(async () => h.close());

  const setQuota = (email: string, body: object) => request(h.app).put(`/admin/users/${email}/quota`).set(as(admin)).send(body).expect(200);
  const usage = async (email: string): Promise<number> =>
    (await request(h.app).get(`/admin/users/${email}/quota`).set(as(admin))).body.usage.processes as number;

  test('a running one-off counts as a process: run and scale are refused at the quota, and room returns when it ends', async () => {
    const u = await h.user('o1@example.com');
    await deployedApp(h, 'o1-app', u.user.id); // web=1
    await setQuota('o1@example.com', { processes: 2 });
    const run = () => request(h.app).post('/apps/o1-app/dynos').set(as(u)).send({ command: 'sleep 600' });

    const first = await run();
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.name, 'run.1');
    assert.equal(await usage('o1@example.com'), 2, 'web.1 and run.1');

    const refused = await run();
    assert.equal(refused.status, 403);
    assert.equal(refused.body.id, 'quota_exceeded');
    assert.match(refused.body.message, /cannot run a one-off process: o1@example\.com's apps run 2 processes \(one-offs included\), the quota of 2 processes/);
    assert.equal((await h.runtime.listOneOffs({ app: 'o1-app' })).length, 1, 'nothing was started');
    const scale = await request(h.app).patch('/apps/o1-app/formation').set(as(u)).send({ updates: [{ type: 'worker', quantity: 1 }] });
    assert.equal(scale.status, 403, 'the one-off counts for scale too');
    assert.match(scale.body.message, /quota of 2 processes/);

    // Once it has ended (here: stopped), it no longer counts.
    const [oneOff] = await h.runtime.listOneOffs({ app: 'o1-app' });
    await h.runtime.stop(oneOff!.id);
    const scaled = await request(h.app).patch('/apps/o1-app/formation').set(as(u)).send({ updates: [{ type: 'worker', quantity: 1 }] });
    assert.equal(scaled.status, 200, JSON.stringify(scaled.body));
    assert.equal(await usage('o1@example.com'), 2, 'web.1 and worker.1');
    assert.equal((await run()).status, 403);
    await request(h.app).patch('/apps/o1-app/formation').set(as(u)).send({ updates: [{ type: 'worker', quantity: 0 }] }).expect(200);
    assert.equal((await run()).status, 201);
  });

  test('two concurrent runs racing the last process of the quota: exactly one starts', async () => {
    const u = await h.user('o2@example.com');
    await deployedApp(h, 'o2-a', u.user.id);
    await deployedApp(h, 'o2-b', u.user.id);
    for (let round = 0; round < 5; round++) {
      for (const p of await h.runtime.listOneOffs()) if (p.app.startsWith('o2-')) await h.runtime.stop(p.id);
      await h.db.pool.query('DELETE FROM one_off_runs o USING apps a WHERE a.id = o.app_id AND a.owner_id = $1', [u.user.id]);
      await setQuota('o2@example.com', { processes: 3 }); // web.1 of each app, and room for one more
      const results = await Promise.all(
        ['o2-a', 'o2-b'].map((app) => request(h.app).post(`/apps/${app}/dynos`).set(as(u)).send({ command: 'sleep 600' })),
      );
      assert.deepEqual(results.map((r) => r.status).sort(), [201, 403], `round ${round}`);
      const running = (await h.runtime.listOneOffs()).filter((p) => p.app.startsWith('o2-'));
      assert.equal(running.length, 1, `round ${round}`);
      assert.equal(await usage('o2@example.com'), 3);
    }
  });

  test('a one-off that cannot start does not keep counting', async () => {
    const u = await h.user('o3@example.com');
    await deployedApp(h, 'o3-app', u.user.id);
    await setQuota('o3@example.com', { processes: 2 });
    const original = h.runtime.runDetached.bind(h.runtime);
    h.runtime.runDetached = async () => {
      throw new Error('the engine refused');
    };
    try {
      assert.equal((await request(h.app).post('/apps/o3-app/dynos').set(as(u)).send({ command: 'true' })).status, 500);
    } finally {
      h.runtime.runDetached = original;
    }
    assert.equal(await usage('o3@example.com'), 1);
    assert.equal((await request(h.app).post('/apps/o3-app/dynos').set(as(u)).send({ command: 'true' })).status, 201);
  });

  test('processes without a memory limit run with the platform default, capped by the memory quota', async () => {
    const u = await h.user('o4@example.com');
    const { app } = await deployedApp(h, 'o4-app', u.user.id);
    const memory = async (type: string) => (await h.runtime.list({ app: 'o4-app' })).filter((p) => p.type === type).map((p) => p.memoryMb);

    await setQuota('o4@example.com', { memory_mb: 256 });
    await request(h.app).patch('/apps/o4-app/formation').set(as(u)).send({ updates: [{ type: 'worker', quantity: 1 }] }).expect(200);
    assert.deepEqual(await memory('worker'), [256], 'an unset limit cannot bypass the quota of 256 MB');
    assert.deepEqual(await memory('web'), [256], 'the web process was replaced with the limit');
    await request(h.app).post('/apps/o4-app/dynos').set(as(u)).send({ command: 'true' }).expect(201);
    assert.equal(h.runtime.runs.at(-1)?.memoryMb, 256, 'one-offs too');

    await setQuota('o4@example.com', { memory_mb: 4096 });
    await h.deployer.reconcile(app);
    assert.deepEqual(await memory('worker'), [512], 'within a larger quota: the platform default (PAAS_DEFAULT_MEMORY_MB)');
    await request(h.app).patch('/apps/o4-app/limits').set(as(u)).send({ type: 'worker', memory_mb: 1024 }).expect(200);
    assert.deepEqual(await memory('worker'), [1024], 'a limit of its own is kept');
    await h.deployer.reconcile(app);
    assert.deepEqual(await memory('worker'), [1024], 'and left alone by the next reconcile');
  });
});

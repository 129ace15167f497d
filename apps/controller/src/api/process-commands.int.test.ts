// The API behind limits, ps:restart, ps:stop, run:detached, releases:info and rollback, against the
// real PostgreSQL with the in-memory runtime.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { findAppByName, type AppRow } from '../db/apps.js';
import { MemoryRuntimeBackend } from '../runtime/memory-runtime-backend.js';
import type { ProcessInfo, ProcessSpec } from '../runtime/runtime-backend.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';

/** A memory runtime that cannot start processes of one image (a release that fails to boot). */
class FlakyRuntime extends MemoryRuntimeBackend {
  failImage: string | undefined;
  override async start(spec: ProcessSpec): Promise<ProcessInfo> {
    if (spec.image === this.failImage) throw new Error(`image ${spec.image} is broken`);
    return super.start(spec);
  }
}

describe('process commands API', () => {
  let h: ApiHarness;
  let runtime: FlakyRuntime;
  let alice: { token: string };
  let bob: { token: string };
  const as = (t: { token: string }) => ({ Authorization: `Bearer ${t.token}` });
  const ids = async (app: string) => Object.fromEntries((await h.runtime.list({ app })).map((p) => [p.name, p.id]));

  async function deployedApp(name: string, types: Record<string, string> = { web: 'npm start', worker: 'node worker.js' }): Promise<AppRow> {
    await request(h.app).post('/apps').set(as(alice)).send({ name }).expect(201);
    const app = (await findAppByName(h.db.pool, name))!;
    await h.releases.release(app, { image: 'img:1', processTypes: types, buildId: null, description: 'Deploy 1111111', userId: null });
    return (await findAppByName(h.db.pool, name))!;
  }

  before(async () => {
    runtime = new FlakyRuntime();
    h = await createApiHarness({ runtime, defaultQuota: { memory_mb: 4096 } });
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
  });
  after(async () => h.close());

  describe('limits', () => {
    test('are listed per type, set, and replace the processes of that type with limited ones', async () => {
      await deployedApp('lim');
      await request(h.app).patch('/apps/lim/formation').set(as(alice)).send({ updates: [{ type: 'web', quantity: 2 }, { type: 'worker', quantity: 1 }] }).expect(200);
      const before = await ids('lim');
      const listed = await request(h.app).get('/apps/lim/limits').set(as(alice)).expect(200);
      assert.deepEqual(listed.body, [
        { type: 'web', quantity: 2, memory_mb: null, cpus: null },
        { type: 'worker', quantity: 1, memory_mb: null, cpus: null },
      ]);

      const set = await request(h.app).patch('/apps/lim/limits').set(as(alice)).send({ type: 'web', memory_mb: 256, cpus: 0.5 });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.deepEqual(set.body[0], { type: 'web', quantity: 2, memory_mb: 256, cpus: 0.5 });
      const procs = await h.runtime.list({ app: 'lim' });
      const web = procs.filter((p) => p.type === 'web');
      assert.deepEqual(web.map((p) => [p.name, p.memoryMb, p.cpus]).sort(), [['web.1', 256, 0.5], ['web.2', 256, 0.5]]);
      assert.ok(web.every((p) => p.id !== before['web.1'] && p.id !== before['web.2']), 'web processes were replaced');
      assert.equal((await ids('lim'))['worker.1'], before['worker.1'], 'other types are left alone');
      assert.deepEqual((await h.routes.get('lim'))?.backends.map((b) => b.container).sort(), web.map((p) => p.id).sort());

      // Only memory: cpus stay; null removes a limit.
      await request(h.app).patch('/apps/lim/limits').set(as(alice)).send({ type: 'web', memory_mb: 512 }).expect(200);
      const cleared = await request(h.app).patch('/apps/lim/limits').set(as(alice)).send({ type: 'web', cpus: null }).expect(200);
      assert.deepEqual(cleared.body[0], { type: 'web', quantity: 2, memory_mb: 512, cpus: null });
      assert.deepEqual((await h.runtime.list({ app: 'lim' })).filter((p) => p.type === 'web').map((p) => [p.memoryMb, p.cpus ?? null]), [[512, null], [512, null]]);
    });

    test('bad limits are refused with the reason, and change nothing', async () => {
      const cases: [unknown, RegExp][] = [
        [{ type: 'web', memory_mb: 8 }, /^memory_mb: must be at least 16 MB/],
        [{ type: 'web', memory_mb: 300_000 }, /^memory_mb: must be at most 262144 MB/],
        [{ type: 'web', memory_mb: 100.5 }, /^memory_mb: must be a whole number/],
        [{ type: 'web', cpus: 0 }, /^cpus: must be more than 0/],
        [{ type: 'web', cpus: -1 }, /^cpus: must be more than 0/],
        [{ type: 'web', cpus: 257 }, /^cpus: must be at most 256/],
        [{ type: 'web', cpus: 0.001 }, /^cpus: must be at least 0.01/],
        [{ type: 'web' }, /give memory_mb, cpus or both/],
        [{ memory_mb: 64 }, /^type: is required/],
        [{ type: 'clock', memory_mb: 64 }, /^type: no clock process type in v1 \(its types: web, worker\)/],
      ];
      for (const [body, message] of cases) {
        const res = await request(h.app).patch('/apps/lim/limits').set(as(alice)).send(body as object);
        assert.equal(res.status, 422, JSON.stringify(body));
        assert.equal(res.body.id, 'invalid_params');
        assert.match(res.body.message, message);
      }
      const quota = await request(h.app).patch('/apps/lim/limits').set(as(alice)).send({ type: 'web', memory_mb: 8192 });
      assert.equal(quota.status, 403);
      assert.equal(quota.body.id, 'quota_exceeded');
      assert.deepEqual((await request(h.app).get('/apps/lim/limits').set(as(alice))).body[0], { type: 'web', quantity: 2, memory_mb: 512, cpus: null });
      assert.equal((await request(h.app).patch('/apps/lim/limits').set(as(bob)).send({ type: 'web', memory_mb: 64 })).status, 404);
      await request(h.app).post('/apps').set(as(alice)).send({ name: 'undeployed' }).expect(201);
      const early = await request(h.app).patch('/apps/undeployed/limits').set(as(alice)).send({ type: 'web', memory_mb: 64 });
      assert.equal(early.status, 422);
      assert.match(early.body.message, /no release yet/);
    });
  });

  describe('restart and stop', () => {
    before(async () => {
      await deployedApp('rst');
      await request(h.app).patch('/apps/rst/formation').set(as(alice)).send({ updates: [{ type: 'web', quantity: 2 }, { type: 'worker', quantity: 1 }] }).expect(200);
    });

    test('ps:restart web.1 replaces that process only, and the route follows', async () => {
      const before = await ids('rst');
      const res = await request(h.app).delete('/apps/rst/dynos/web.1').set(as(alice));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.map((d: { name: string }) => d.name), ['web.1', 'web.2', 'worker.1']);
      const now = await ids('rst');
      assert.notEqual(now['web.1'], before['web.1']);
      assert.equal(now['web.2'], before['web.2']);
      assert.equal(now['worker.1'], before['worker.1']);
      assert.deepEqual((await h.routes.get('rst'))?.backends.map((b) => b.container).sort(), [now['web.1'], now['web.2']].sort());
    });

    test('ps:restart TYPE replaces every process of the type; no target restarts all', async () => {
      const before = await ids('rst');
      await request(h.app).delete('/apps/rst/dynos/web').set(as(alice)).expect(200);
      const mid = await ids('rst');
      assert.ok(mid['web.1'] !== before['web.1'] && mid['web.2'] !== before['web.2']);
      assert.equal(mid['worker.1'], before['worker.1']);
      await request(h.app).delete('/apps/rst/dynos').set(as(alice)).expect(200);
      const all = await ids('rst');
      assert.deepEqual(Object.keys(all).sort(), ['web.1', 'web.2', 'worker.1']);
      assert.ok(Object.entries(all).every(([name, id]) => id !== mid[name]));
    });

    test('restarting what does not run is a clear error', async () => {
      const unknownType = await request(h.app).delete('/apps/rst/dynos/clock').set(as(alice));
      assert.equal(unknownType.status, 404);
      assert.equal(unknownType.body.message, 'rst has no process type clock (its types: web, worker)');
      const unknownProcess = await request(h.app).delete('/apps/rst/dynos/web.9').set(as(alice));
      assert.equal(unknownProcess.status, 404);
      assert.match(unknownProcess.body.message, /^no process web.9 on rst \(its processes: web.1, web.2, worker.1\)/);
      const oneOff = await request(h.app).delete('/apps/rst/dynos/run.1').set(as(alice));
      assert.equal(oneOff.status, 422);
      assert.match(oneOff.body.message, /one-off process: it cannot be restarted/);
      assert.equal((await request(h.app).delete('/apps/rst/dynos').set(as(bob))).status, 404);
      await request(h.app).post('/apps').set(as(alice)).send({ name: 'nothing-yet' }).expect(201);
      assert.equal((await request(h.app).delete('/apps/nothing-yet/dynos').set(as(alice))).status, 422);
    });

    test('ps:stop stops one process; the reconcile loop starts it again', async () => {
      const before = await ids('rst');
      const res = await request(h.app).post('/apps/rst/dynos/worker.1/actions/stop').set(as(alice));
      assert.equal(res.status, 202);
      assert.deepEqual(res.body.map((d: { name: string; state: string }) => [d.name, d.state]), [['worker.1', 'down']]);
      assert.deepEqual(Object.keys(await ids('rst')).sort(), ['web.1', 'web.2']);
      const app = (await findAppByName(h.db.pool, 'rst'))!;
      await h.deployer.reconcile(app);
      const back = await ids('rst');
      assert.ok(back['worker.1'] && back['worker.1'] !== before['worker.1']);
      assert.equal((await request(h.app).post('/apps/rst/dynos/worker.4/actions/stop').set(as(alice))).status, 404);
    });
  });

  describe('one-off processes', () => {
    test('run:detached starts run.N with the release image and config, listed with the processes', async () => {
      await deployedApp('jobs', { web: 'npm start' });
      await request(h.app).patch('/apps/jobs/config-vars').set(as(alice)).send({ DATABASE_URL: 'postgres://db' }).expect(200);
      const res = await request(h.app).post('/apps/jobs/dynos').set(as(alice)).send({ command: 'node migrate.js', attach: false });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.name, 'run.1');
      assert.equal(res.body.type, 'run');
      assert.equal(res.body.command, 'node migrate.js');
      assert.equal(res.body.release.version, 2);
      const run = runtime.runs.at(-1)!;
      assert.equal(run.image, 'img:1');
      assert.equal(run.env['DATABASE_URL'], 'postgres://db');
      assert.equal(run.attached, false);
      const second = await request(h.app).post('/apps/jobs/dynos').set(as(alice)).send({ command: 'sleep 100' }).expect(201);
      assert.equal(second.body.name, 'run.2');

      const dynos = (await request(h.app).get('/apps/jobs/dynos').set(as(alice))).body as { name: string }[];
      assert.deepEqual(dynos.map((d) => d.name), ['run.1', 'run.2', 'web.1']);
      assert.deepEqual(await h.runtime.list({ app: 'jobs' }).then((p) => p.map((x) => x.name)), ['web.1'], 'one-offs are not formation processes');
      // Reconciling leaves one-offs alone; ps:stop ends one.
      await h.deployer.reconcile((await findAppByName(h.db.pool, 'jobs'))!);
      assert.equal((await runtime.listOneOffs({ app: 'jobs' })).length, 2);
      const stop = await request(h.app).post('/apps/jobs/dynos/run.1/actions/stop').set(as(alice));
      assert.equal(stop.status, 202);
      assert.deepEqual((await runtime.listOneOffs({ app: 'jobs' })).map((p) => p.name), ['run.2']);
    });

    test('an empty command, a run before any release, or an attach without upgrade is refused', async () => {
      const count = runtime.runs.length;
      for (const body of [{ command: '' }, { command: '   ' }]) {
        const res = await request(h.app).post('/apps/jobs/dynos').set(as(alice)).send(body);
        assert.equal(res.status, 422);
        assert.equal(res.body.message, 'command: is empty; give the command to run, e.g. paas run -- bash');
      }
      const missing = await request(h.app).post('/apps/jobs/dynos').set(as(alice)).send({});
      assert.equal(missing.status, 422);
      assert.match(missing.body.message, /^command: is required/);
      const notString = await request(h.app).post('/apps/jobs/dynos').set(as(alice)).send({ command: ['ls'] });
      assert.equal(notString.status, 422);
      const attach = await request(h.app).post('/apps/jobs/dynos').set(as(alice)).send({ command: 'bash', attach: true });
      assert.equal(attach.status, 422);
      assert.match(attach.body.message, /needs the connection upgraded/);
      await request(h.app).post('/apps').set(as(alice)).send({ name: 'fresh' }).expect(201);
      const early = await request(h.app).post('/apps/fresh/dynos').set(as(alice)).send({ command: 'ls' });
      assert.equal(early.status, 422);
      assert.match(early.body.message, /no release yet/);
      assert.equal((await request(h.app).post('/apps/jobs/dynos').set(as(bob)).send({ command: 'ls' })).status, 404);
      assert.equal(runtime.runs.length, count, 'nothing was started');
    });
  });

  describe('releases and rollback', () => {
    let app: AppRow;
    before(async () => {
      app = await deployedApp('roll', { web: 'npm start' }); // v1: no config
      await request(h.app).patch('/apps/roll/config-vars').set(as(alice)).send({ A: '1' }).expect(200); // v2
      await request(h.app).patch('/apps/roll/config-vars').set(as(alice)).send({ A: '2', B: 'b' }).expect(200); // v3
    });

    test('releases:info shows one release by vN, N or id, and its config vars', async () => {
      const v2 = await request(h.app).get('/apps/roll/releases/v2').set(as(alice)).expect(200);
      assert.equal(v2.body.version, 2);
      assert.equal(v2.body.description, 'Set A config vars');
      assert.equal(v2.body.current, false);
      assert.equal((await request(h.app).get('/apps/roll/releases/3').set(as(alice))).body.current, true);
      assert.equal((await request(h.app).get(`/apps/roll/releases/${v2.body.id}`).set(as(alice))).body.version, 2);
      assert.deepEqual((await request(h.app).get('/apps/roll/releases/v2/config-vars').set(as(alice))).body, { A: '1' });
      assert.equal((await request(h.app).get('/apps/roll/releases/v9').set(as(alice))).status, 404);
      assert.equal((await request(h.app).get('/apps/roll/releases/latest').set(as(alice))).status, 422);
      assert.equal((await request(h.app).get('/apps/roll/releases/v2').set(as(bob))).status, 404);
    });

    test('rollback makes a new release with the old image, process types and config vars', async () => {
      const res = await request(h.app).post('/apps/roll/releases').set(as(alice)).send({ release: 'v2' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.version, 4);
      assert.equal(res.body.description, 'Rollback to v2');
      assert.equal(res.body.current, true);
      assert.equal(res.body.user.email, 'alice@example.com');
      assert.deepEqual((await request(h.app).get('/apps/roll/config-vars').set(as(alice))).body, { A: '1' }, 'B is gone, A is back to 1');
      const procs = await h.runtime.list({ app: 'roll' });
      assert.deepEqual(procs.map((p) => [p.name, p.release]), [['web.1', 4]]);
      const numeric = await request(h.app).post('/apps/roll/releases').set(as(alice)).send({ release: 1 }).expect(201);
      assert.equal(numeric.body.description, 'Rollback to v1');
      assert.deepEqual((await request(h.app).get('/apps/roll/config-vars').set(as(alice))).body, {});
    });

    test('a rollback that fails to boot changes nothing: config and the serving release stay', async () => {
      await request(h.app).patch('/apps/roll/config-vars').set(as(alice)).send({ C: 'c' }).expect(200); // v6
      runtime.failImage = 'img:1';
      try {
        const res = await request(h.app).post('/apps/roll/releases').set(as(alice)).send({ release: 'v3' });
        assert.equal(res.status, 422);
        assert.equal(res.body.id, 'release_failed');
      } finally {
        runtime.failImage = undefined;
      }
      assert.deepEqual((await request(h.app).get('/apps/roll/config-vars').set(as(alice))).body, { C: 'c' });
      const releases = (await request(h.app).get('/apps/roll/releases').set(as(alice))).body as { version: number; status: string; current: boolean }[];
      assert.deepEqual(releases.slice(0, 2).map((r) => [r.version, r.status, r.current]), [
        [7, 'failed', false],
        [6, 'succeeded', true],
      ]);
      assert.deepEqual((await h.runtime.list({ app: 'roll' })).map((p) => p.release), [6]);

      const toFailed = await request(h.app).post('/apps/roll/releases').set(as(alice)).send({ release: 'v7' });
      assert.equal(toFailed.status, 422);
      assert.match(toFailed.body.message, /^v7 never ran successfully \(it is failed\)/);
      assert.equal((await request(h.app).post('/apps/roll/releases').set(as(alice)).send({ release: 'v99' })).status, 404);
      assert.equal((await request(h.app).post('/apps/roll/releases').set(as(alice)).send({ release: 'yesterday' })).status, 422);
      assert.equal((await request(h.app).post('/apps/roll/releases').set(as(alice)).send({})).status, 422);
      assert.equal((await request(h.app).post('/apps/roll/releases').set(as(bob)).send({ release: 'v1' })).status, 404);
      assert.equal((await request(h.app).get('/apps/roll/releases').set(as(alice))).body.length, 7, 'no release was made');
      void app;
    });
  });
});

// The release phase and app.json's scripts and formation, through the API against the real
// PostgreSQL with the in-memory runtime (whose one-off `exit N` exits with status N).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { AppError } from '@paas/shared';
import { findAppByName, type AppRow } from '../db/apps.js';
import { getConfigVars } from '../db/config-vars.js';
import { MemoryRuntimeBackend } from '../runtime/memory-runtime-backend.js';
import type { ProcessInfo, ProcessSpec } from '../runtime/runtime-backend.js';
import type { AttachedOneOff, OneOffIo, OneOffSpec } from '../runtime/one-off.js';
import { applyAppJsonEnv } from '../deploy/app-json-setup.js';
import { parseAppJson } from '../deploy/app-json.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as } from './test-fixtures.js';

/** Records the order of process starts and one-offs. */
class OrderedRuntime extends MemoryRuntimeBackend {
  events: string[] = [];
  override async start(spec: ProcessSpec): Promise<ProcessInfo> {
    this.events.push(`start v${spec.release} ${spec.type}`);
    return super.start(spec);
  }
  override async runAttached(spec: OneOffSpec, io: OneOffIo): Promise<AttachedOneOff> {
    this.events.push(`run v${spec.release} ${spec.command}`);
    return super.runAttached(spec, io);
  }
}

describe('release phase', () => {
  let h: ApiHarness;
  let runtime: OrderedRuntime;
  let alice: { token: string; user: { id: string } };
  let bob: { token: string };

  async function newApp(name: string): Promise<AppRow> {
    await request(h.app).post('/apps').set(as(alice)).send({ name }).expect(201);
    return (await findAppByName(h.db.pool, name))!;
  }
  const release = (app: AppRow, processTypes: Record<string, string>, appJson: Record<string, unknown> | null = null, lines: string[] = []) =>
    h.releases.release(app, { image: `img:${Object.keys(processTypes).join('-')}`, processTypes, buildId: null, description: 'Deploy', userId: null, appJson }, (l) => lines.push(l));

  before(async () => {
    runtime = new OrderedRuntime();
    h = await createApiHarness({ runtime });
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
  });
  after(async () => h.close());

  test('runs once with the new release before its processes start; its output streams and is kept', async () => {
    const app = await newApp('rp-ok');
    runtime.events = [];
    const lines: string[] = [];
    const r = await release(app, { web: 'npm start', release: 'node migrate.js' }, null, lines);
    assert.deepEqual(runtime.events, ['run v1 node migrate.js', 'start v1 web']);
    assert.ok(lines.some((l) => l.includes('Release phase: running node migrate.js')), lines.join('\n'));
    assert.ok(lines.includes('node migrate.js'), 'the one-off output streams');
    const out = await request(h.app).get('/apps/rp-ok/releases/v1/output').set(as(alice)).expect(200);
    assert.equal(out.body.version, r.version);
    assert.equal(out.body.status, 'succeeded');
    assert.match(out.body.output, /node migrate\.js\n[^]*Release phase done/);
    // The release type is never a running process.
    assert.deepEqual((await h.runtime.list({ app: 'rp-ok' })).map((p) => p.name), ['web.1']);
  });

  test('a failing release phase refuses the release; the previous one keeps serving', async () => {
    const app = await newApp('rp-fail');
    await release(app, { web: 'npm start', release: 'exit 0' });
    const serving = (await h.runtime.list({ app: 'rp-fail' })).map((p) => p.id);
    runtime.events = [];
    await assert.rejects(release(app, { web: 'npm start', release: 'exit 3' }), (err: AppError) => {
      assert.equal(err.code, 'release_failed');
      assert.match(err.message, /exited with status 3.*previous release keeps serving/);
      return true;
    });
    assert.deepEqual(runtime.events, ['run v2 exit 3'], 'no process of v2 started');
    assert.deepEqual((await h.runtime.list({ app: 'rp-fail' })).map((p) => p.id), serving);
    const releases = await request(h.app).get('/apps/rp-fail/releases').set(as(alice)).expect(200);
    assert.deepEqual(releases.body.map((r: { version: number; status: string }) => [r.version, r.status]), [[2, 'failed'], [1, 'succeeded']]);
    const out = await request(h.app).get('/apps/rp-fail/releases/2/output').set(as(alice)).expect(200);
    assert.match(out.body.output, /Release phase failed \(exit status 3\)/);
  });

  test('a config:set whose release phase fails is refused and the vars are put back', async () => {
    const app = await newApp('rp-config');
    await request(h.app).patch('/apps/rp-config/config-vars').set(as(alice)).send({ A: '1' }).expect(200);
    await release(app, { web: 'npm start', release: 'exit 1' }).catch(() => undefined);
    await release(app, { web: 'npm start' });
    // v2 serves without a release phase; make the current release carry a failing one.
    await release(app, { web: 'npm start', release: 'exit 0' });
    await h.db.pool.query(`UPDATE releases SET process_types = '{"web":"npm start","release":"exit 1"}' WHERE app_id = $1`, [app.id]);
    const res = await request(h.app).patch('/apps/rp-config/config-vars').set(as(alice)).send({ A: '2', B: 'x' }).expect(422);
    assert.equal(res.body.id, 'release_failed');
    assert.deepEqual(await getConfigVars(h.db.pool, h.access.cipher, app.id), { A: '1' });
  });

  test('the release type cannot be scaled', async () => {
    const app = await newApp('rp-scale');
    await release(app, { web: 'npm start', release: 'exit 0' });
    const res = await request(h.app).patch('/apps/rp-scale/formation').set(as(alice)).send({ updates: [{ type: 'release', quantity: 1 }] }).expect(422);
    assert.match(res.body.message, /never scaled/);
  });

  test("app.json's scripts: dokku predeploy without a Procfile release, postdeploy after the first deploy only, dokku postdeploy after each", async () => {
    const app = await newApp('rp-scripts');
    const appJson = { scripts: { postdeploy: 'echo first', dokku: { predeploy: 'echo pre', postdeploy: { command: 'echo each' } } } };
    runtime.events = [];
    await release(app, { web: 'npm start' }, appJson);
    assert.deepEqual(runtime.events, ['run v1 echo pre', 'start v1 web', 'run v1 echo first', 'run v1 echo each']);
    runtime.events = [];
    await release(app, { web: 'npm start' }, appJson);
    assert.deepEqual(runtime.events.filter((e) => e.startsWith('run')), ['run v2 echo pre', 'run v2 echo each']);
    const out = await request(h.app).get('/apps/rp-scripts/releases/v1/output').set(as(alice)).expect(200);
    assert.match(out.body.output, /Release phase: running echo pre[^]*Postdeploy \(first deploy\): running echo first[^]*Postdeploy: running echo each/);
  });

  test("another user cannot read a release's output; a release without scripts has none", async () => {
    const app = await newApp('rp-private');
    await release(app, { web: 'npm start' });
    await request(h.app).get('/apps/rp-private/releases/v1/output').set(as(bob)).expect(404);
    const out = await request(h.app).get('/apps/rp-private/releases/v1/output').set(as(alice)).expect(200);
    assert.equal(out.body.output, null);
    await request(h.app).get('/apps/rp-private/releases/v9/output').set(as(alice)).expect(404);
    await request(h.app).get('/apps/rp-private/releases/nope/output').set(as(alice)).expect(422);
  });

  test("app.json's formation sets the first deploy's quantities and limits, within the quotas", async () => {
    const app = await newApp('rp-formation');
    const lines: string[] = [];
    await release(app, { web: 'npm start', worker: 'node w.js' }, { formation: { web: { quantity: 2 }, worker: { quantity: 1, memory: 256 } } }, lines);
    const names = (await h.runtime.list({ app: 'rp-formation' })).map((p) => p.name).sort();
    assert.deepEqual(names, ['web.1', 'web.2', 'worker.1']);
    const limits = await request(h.app).get('/apps/rp-formation/limits').set(as(alice)).expect(200);
    assert.equal(limits.body.find((l: { type: string }) => l.type === 'worker').memory_mb, 256);
    const over = await newApp('rp-formation-over');
    const said: string[] = [];
    await release(over, { web: 'npm start' }, { formation: { web: { quantity: 5000 } } }, said);
    assert.ok(said.some((l) => l.startsWith('app.json: formation not applied')), said.join('\n'));
  });

  test("app.json's env: defaults and generated secrets on the first deploy, a missing required var refuses", async () => {
    const app = await newApp('rp-env');
    const appJson = parseAppJson(JSON.stringify({ env: { GREETING: 'hi', LEVEL: { value: '3' }, SECRET_KEY: { generator: 'secret' }, API_KEY: { required: true } } }));
    await assert.rejects(applyAppJsonEnv({ pool: h.db.pool, cipher: h.access.cipher }, app, appJson, () => {}), /env: API_KEY is required: set it with paas config:set API_KEY=…/);
    await request(h.app).patch('/apps/rp-env/config-vars').set(as(alice)).send({ API_KEY: 'k', LEVEL: 'mine' }).expect(200);
    const lines: string[] = [];
    await applyAppJsonEnv({ pool: h.db.pool, cipher: h.access.cipher }, app, appJson, (l) => lines.push(l));
    const vars = await getConfigVars(h.db.pool, h.access.cipher, app.id);
    assert.equal(vars['GREETING'], 'hi');
    assert.equal(vars['LEVEL'], 'mine', 'a var the app has is kept');
    assert.match(vars['SECRET_KEY'] ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(lines, ['-----> app.json: set GREETING, SECRET_KEY']);
  });
});

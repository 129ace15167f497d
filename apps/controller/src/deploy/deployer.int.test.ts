import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppError } from '@paas/shared';
import { createApiHarness, type ApiHarness } from '../api/test-harness.js';
import { findAppByName, insertApp } from '../db/apps.js';
import { listReleases } from '../db/releases.js';
import { setFormation, setLimits } from '../db/formation.js';

/** Release gating and reconciliation against real PostgreSQL with the in-memory runtime and route store. */
describe('Deployer', () => {
  let h: ApiHarness;
  let owner: string;
  const answers: Record<string, { status: number; body: string }[]> = {};
  const asked: string[] = [];

  before(async () => {
    h = await createApiHarness({
      check: async (_address, _port, path) => {
        asked.push(path);
        return answers[path]?.shift() ?? { error: 'connection refused' };
      },
    });
    owner = (await h.user('deployer@example.com')).user.id;
  });
  after(async () => h.close());

  const appJson = (path: string, content?: string) => ({
    healthchecks: { web: [{ type: 'startup', path, content, attempts: 3, timeout: 1, wait: 0, initialDelay: 0 }] },
  });

  test('a release whose health check passes (after retries) is promoted', async () => {
    await insertApp(h.db.pool, 'healthy', owner);
    const app = (await findAppByName(h.db.pool, 'healthy'))!;
    answers['/up'] = [{ status: 503, body: 'starting' }, { status: 200, body: 'all ok' }];
    const r = await h.releases.release(app, {
      image: 'img:1', processTypes: { web: 'npm start' }, buildId: null, description: 'Deploy 1', userId: null, appJson: appJson('/up', 'ok'),
    });
    assert.equal(r.version, 1);
    assert.deepEqual(asked.splice(0), ['/up', '/up']);
    assert.equal((await h.routes.get('healthy'))?.release, 1);
  });

  test('a release that fails its health check is not promoted; the previous one keeps serving', async () => {
    const app = (await findAppByName(h.db.pool, 'healthy'))!;
    answers['/up'] = [{ status: 200, body: 'nope' }, { status: 200, body: 'nope' }, { status: 200, body: 'nope' }];
    await assert.rejects(
      h.releases.release(app, {
        image: 'img:2', processTypes: { web: 'npm start' }, buildId: null, description: 'Deploy 2', userId: null, appJson: appJson('/up', 'ok'),
      }),
      (err: AppError) => err.code === 'release_failed' && /failed its health check \/up after 3 attempts: the answer does not contain "ok"/.test(err.message),
    );
    assert.deepEqual((await listReleases(h.db.pool, h.access.cipher, app.id)).map((r) => [r.version, r.status]), [
      [2, 'failed'],
      [1, 'succeeded'],
    ]);
    assert.deepEqual((await h.runtime.list({ app: 'healthy' })).map((p) => [p.name, p.release]), [['web.1', 1]]);
    assert.equal((await h.routes.get('healthy'))?.release, 1);
  });

  test('reconcile restores lost processes, removes extras and applies limits', async () => {
    const app = (await findAppByName(h.db.pool, 'healthy'))!;
    // v1 declares a health check on /up: processes started by reconcile must pass it too.
    answers['/up'] = Array.from({ length: 20 }, () => ({ status: 200, body: 'ok' }));
    await setFormation(h.db.pool, app.id, [{ type: 'web', quantity: 2 }]);
    await h.deployer.reconcile(app);
    assert.deepEqual((await h.runtime.list({ app: 'healthy' })).map((p) => p.name).sort(), ['web.1', 'web.2']);
    // A process disappears (a host lost it): the next pass starts it again and routes it.
    const lost = (await h.runtime.list({ app: 'healthy' })).find((p) => p.name === 'web.2')!;
    await h.runtime.stop(lost.id);
    await h.deployer.reconcile(app);
    assert.deepEqual((await h.runtime.list({ app: 'healthy' })).map((p) => p.name).sort(), ['web.1', 'web.2']);
    assert.equal((await h.routes.get('healthy'))?.backends.length, 2);
    // A limit change replaces the processes with limited ones.
    await setLimits(h.db.pool, app.id, 'web', { memoryMb: 256 });
    await h.deployer.reconcile(app);
    assert.deepEqual((await h.runtime.list({ app: 'healthy' })).map((p) => p.memoryMb), [256, 256]);
    await setFormation(h.db.pool, app.id, [{ type: 'web', quantity: 1 }]);
    await h.deployer.reconcile(app);
    assert.deepEqual((await h.runtime.list({ app: 'healthy' })).map((p) => p.name), ['web.1']);
  });

  test('reconcile replaces a process killed from outside, and leaves one the engine restarts to the engine', async () => {
    await insertApp(h.db.pool, 'killed', owner);
    const app = (await findAppByName(h.db.pool, 'killed'))!;
    await h.releases.release(app, { image: 'img:1', processTypes: { web: 'npm start' }, buildId: null, description: 'Deploy 1', userId: null });
    await setFormation(h.db.pool, app.id, [{ type: 'web', quantity: 2 }]);
    await h.deployer.reconcile(app);
    const [web1, web2] = (await h.runtime.list({ app: 'killed' })).sort((a, b) => a.name.localeCompare(b.name));
    // web.1 is killed (docker kill): the engine will not restart it. web.2 crashed on its own: the
    // engine restarts it after its backoff, so the reconcile leaves it alone.
    h.runtime.exit(web1!.id, { restarting: false });
    h.runtime.exit(web2!.id, { restarting: true });
    await h.deployer.reconcile(app);
    const now = (await h.runtime.list({ app: 'killed' })).sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(now.map((p) => p.name), ['web.1', 'web.2']);
    assert.notEqual(now[0]!.id, web1!.id, 'the killed web.1 is replaced');
    assert.equal(now[0]!.state, 'up');
    assert.equal(now[1]!.id, web2!.id, 'the crashing web.2 is left to the engine');
    assert.deepEqual((await h.routes.get('killed'))?.backends.length, 1);
  });

  test('concurrent reconciles of one app share passes, each answered by a pass that began after its call', async () => {
    await insertApp(h.db.pool, 'busy', owner);
    const app = (await findAppByName(h.db.pool, 'busy'))!;
    await h.releases.release(app, { image: 'img:1', processTypes: { web: 'npm start', worker: 'node w.js' }, buildId: null, description: 'Deploy 1', userId: null });
    // Each pass lists the app's processes once, after its reads: the first pass is held there.
    let passes = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const list = h.runtime.list.bind(h.runtime);
    h.runtime.list = async (filter) => {
      if (filter?.app === 'busy' && ++passes === 1) await held;
      return list(filter);
    };
    try {
      const workers = async () => (await list({ app: 'busy' })).filter((p) => p.type === 'worker').length;
      await setFormation(h.db.pool, app.id, [{ type: 'worker', quantity: 1 }]);
      const first = h.deployer.reconcile(app).then(workers);
      while (passes === 0) await new Promise((r) => setTimeout(r, 5));
      // Written while the first pass runs (its reads are done): only a later pass can apply it.
      await setFormation(h.db.pool, app.id, [{ type: 'worker', quantity: 2 }]);
      const later = Array.from({ length: 10 }, () => h.deployer.reconcile(app).then(workers));
      await h.deployer.reconcile(app, { wait: false }); // the loop leaves a busy app to its passes
      release();
      assert.equal(await first, 1);
      assert.deepEqual(await Promise.all(later), Array(10).fill(2));
      assert.equal(passes, 2);
    } finally {
      h.runtime.list = list;
    }
  });

  test('a restart whose replacement does not boot keeps the old process serving', async () => {
    const app = (await findAppByName(h.db.pool, 'healthy'))!;
    const [web1] = await h.runtime.list({ app: 'healthy' });
    answers['/up'] = [];
    await assert.rejects(
      h.deployer.reconcile(app, { wait: true, replace: new Set([web1!.id]) }),
      (err: AppError) => err.code === 'release_failed' && /keep running/.test(err.message),
    );
    assert.deepEqual((await h.runtime.list({ app: 'healthy' })).map((p) => p.id), [web1!.id]);
    assert.deepEqual((await h.routes.get('healthy'))?.backends.map((b) => b.container), [web1!.id]);
  });
});

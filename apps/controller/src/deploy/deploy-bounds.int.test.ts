// Bounded deploys against real PostgreSQL (in-memory runtime): a boot has a deadline, and apps whose
// checks never pass hold no lock slot or connection while they wait, so other tenants deploy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppError } from '@paas/shared';
import { createApiHarness, type ApiHarness } from '../api/test-harness.js';
import { findAppByName, insertApp } from '../db/apps.js';
import { insertRelease, listReleases } from '../db/releases.js';

describe('bounded deploys', () => {
  let h: ApiHarness;
  let alice: string;
  let bob: string;
  /** Checks of `/never` wait here (as a check of an app that never answers, within its timeout). */
  let opened!: () => void;
  const gate = new Promise<void>((r) => (opened = r));
  let waiting = 0;

  before(async () => {
    h = await createApiHarness({
      // 10 connections: 5 lock slots.
      poolMax: 10,
      maxBootMs: 1500,
      check: async (_address, _port, path, timeoutMs) => {
        if (path === '/slow') {
          await new Promise((r) => setTimeout(r, timeoutMs));
          return { error: `timed out after ${timeoutMs} ms` };
        }
        if (path === '/never') {
          waiting++;
          await gate;
          return { error: 'connection refused' };
        }
        return { status: 200, body: 'ok' };
      },
    });
    alice = (await h.user('alice@example.com')).user.id;
    bob = (await h.user('bob@example.com')).user.id;
  });
  after(async () => {
    opened();
    await h.close();
  });

  const checks = (path: string, attempts: number, timeout: number) => ({
    healthchecks: { web: [{ type: 'startup', path, attempts, timeout, wait: 0, initialDelay: 0 }] },
  });
  const release = async (name: string, appJson: Record<string, unknown>) => {
    const app = (await findAppByName(h.db.pool, name))!;
    return h.releases.release(app, { image: 'img:1', processTypes: { web: 'npm start' }, buildId: null, description: 'Deploy', userId: null, appJson });
  };

  test('a boot has a deadline: checks that would take 20 minutes stop at PAAS_MAX_BOOT_SECONDS', { timeout: 60_000 }, async () => {
    await insertApp(h.db.pool, 'slowpoke', alice);
    await assert.rejects(release('slowpoke', checks('/slow', 20, 60)), (err: AppError) => {
      assert.equal(err.code, 'release_failed');
      assert.match(err.message, /^web\.1 did not pass its health check \/slow within its boot deadline \(at most PAAS_MAX_BOOT_SECONDS\): timed out after \d+ ms/);
      return true;
    });
    const app = (await findAppByName(h.db.pool, 'slowpoke'))!;
    assert.deepEqual((await listReleases(h.db.pool, h.access.cipher, app.id)).map((r) => r.status), ['failed']);
    assert.deepEqual(await h.runtime.list({ app: 'slowpoke' }), [], 'its processes are stopped');
  });

  test('20 deploys of one tenant that never pass their checks do not hold up another tenant’s deploy', { timeout: 60_000 }, async () => {
    const names = Array.from({ length: 20 }, (_, i) => `stuck-${i}`);
    for (const name of names) await insertApp(h.db.pool, name, alice);
    await insertApp(h.db.pool, 'other-tenant', bob);
    const stuck = names.map((name) => release(name, checks('/never', 1, 60)).then(() => 'passed', (err: AppError) => err.code));
    // All 20 wait on their checks at once: none holds one of the 5 lock slots (or a connection) meanwhile.
    while (waiting < names.length) await new Promise((r) => setTimeout(r, 20));
    const { version } = await release('other-tenant', checks('/ok', 1, 5));
    assert.equal(version, 1);
    assert.equal((await h.routes.get('other-tenant'))?.release, 1);
    assert.equal(waiting, names.length, 'the stuck deploys are still waiting');
    opened();
    assert.deepEqual(await Promise.all(stuck), names.map(() => 'release_failed'));
  });

  test('a reconcile pass leaves alone the processes another controller is booting, not those of a deploy long dead', async () => {
    await insertApp(h.db.pool, 'shared', bob);
    await release('shared', {});
    const app = (await findAppByName(h.db.pool, 'shared'))!;
    // Another controller's deploy of v2: its release row pending, its process booting.
    const v2 = await insertRelease(h.db.pool, h.access.cipher, {
      appId: app.id, version: 2, buildId: null, image: 'img:2', config: {}, processTypes: { web: 'npm start' }, description: 'Deploy 2', userId: null, appJson: null,
    });
    const booting = await h.runtime.start({ app: 'shared', release: 2, type: 'web', index: 1, image: 'img:2', command: 'npm start', env: {}, port: 5000, publish: true });
    await h.deployer.reconcile(app);
    assert.deepEqual((await h.runtime.list({ app: 'shared' })).map((p) => [p.name, p.release]).sort(), [['web.1', 1], ['web.1', 2]]);
    assert.equal((await h.routes.get('shared'))?.release, 1, 'the current release still serves');
    // That deploy's controller died long ago: the pending release is past the boot window.
    await h.db.pool.query("UPDATE releases SET created_at = now() - interval '2 hours' WHERE id = $1", [v2.id]);
    await h.deployer.reconcile(app);
    assert.deepEqual((await h.runtime.list({ app: 'shared' })).map((p) => [p.name, p.release]), [['web.1', 1]]);
    assert.ok(!(await h.runtime.list({ app: 'shared' })).some((p) => p.id === booting.id));
  });
});

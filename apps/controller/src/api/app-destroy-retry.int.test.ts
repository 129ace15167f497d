// Issue 23: `apps:destroy` of an app with processes answered 500 on the engine's transient removal
// race ("unable to remove filesystem … directory not empty"); the second try worked. Now such errors
// are tried again with backoff, a persistent one is a retryable 503, and destroy again finishes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';
import { MemoryRuntimeBackend } from '../runtime/memory-runtime-backend.js';

/** The in-memory runtime, whose stop fails like the engine's removal race while `failures` lasts. */
class RacingRuntime extends MemoryRuntimeBackend {
  failures = 0;
  stopCalls = 0;

  override async stop(id: string): Promise<void> {
    this.stopCalls++;
    if (this.failures > 0) {
      this.failures--;
      throw Object.assign(
        new Error(`(HTTP code 500) server error - unable to remove filesystem for ${id}: unlinkat /var/lib/docker/containers/${id}/mounts/shm: directory not empty`),
        { statusCode: 500 },
      );
    }
    return super.stop(id);
  }
}

describe('apps:destroy with transient engine errors', () => {
  let h: ApiHarness;
  let alice: Awaited<ReturnType<ApiHarness['user']>>;
  const runtime = new RacingRuntime();
  const waits: number[] = [];

  before(async () => {
    h = await createApiHarness({ runtime, engineRetry: { attempts: 4, sleep: async (ms) => void waits.push(ms) } });
    alice = await h.user('alice@example.com');
  });
  after(async () => h.close());

  const withProcesses = async (name: string, web: number) => {
    const { app } = await deployedApp(h, name, alice.user.id, { web });
    await h.deployer.reconcile(app, { wait: true });
    assert.equal((await runtime.list({ app: name })).length, web);
    return app;
  };

  test('the removal race is tried again with backoff, and the destroy succeeds', async () => {
    await withProcesses('shop', 5);
    runtime.failures = 3;
    waits.length = 0;
    const res = await request(h.app).delete('/apps/shop').set(as(alice));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(runtime.failures, 0);
    assert.ok(waits.length >= 1, 'it waited before trying again');
    assert.ok(waits.every((ms) => ms >= 100), 'with backoff, not in a tight loop');
    assert.deepEqual(await runtime.list({ app: 'shop' }), []);
    assert.equal((await h.db.pool.query("SELECT count(*)::int AS n FROM apps WHERE name = 'shop'")).rows[0].n, 0);
  });

  test('a persistent engine error is 503 unavailable (never 500), and destroy again finishes the job', async () => {
    await withProcesses('cart', 2);
    runtime.failures = 1000;
    const res = await request(h.app).delete('/apps/cart').set(as(alice));
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.equal(res.body.id, 'unavailable');
    assert.match(res.body.message, /try again/);
    assert.equal((await h.db.pool.query("SELECT count(*)::int AS n FROM apps WHERE name = 'cart'")).rows[0].n, 1, 'the app is kept to try again');
    runtime.failures = 0;
    assert.equal((await request(h.app).delete('/apps/cart').set(as(alice))).status, 200);
    assert.deepEqual(await runtime.list({ app: 'cart' }), []);
    const again = await request(h.app).delete('/apps/cart').set(as(alice));
    assert.equal(again.status, 404);
    assert.equal(again.body.id, 'app_not_found');
  });
});

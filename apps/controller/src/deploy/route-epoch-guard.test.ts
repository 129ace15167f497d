import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, MemoryRouteStore, type AppRoute } from '@paas/shared';
import { RouteEpochGuard } from './route-epoch-guard.js';

const route = (app: string, version = 1): AppRoute => ({
  app,
  domains: [`${app}.localhost`],
  backends: [{ process: 'web.1', container: 'c1', host: '127.0.0.1', port: 5000 }],
  release: 1,
  version,
});

function guarded(store = new MemoryRouteStore()) {
  let reconciles = 0;
  const guard = new RouteEpochGuard({
    store,
    log: createLogger('test', 'silent'),
    reconcile: async () => {
      reconciles++;
    },
  });
  return { store, guard, mirrored: guard.mirrored(), reconciles: () => reconciles };
}

test('a controller started on an empty store writes the whole table after its first complete reconcile pass', async () => {
  const { store, guard, mirrored } = guarded();
  await mirrored.set(route('a'));
  await guard.check();
  assert.equal(await store.epoch(), undefined, 'no complete pass yet: nothing is trusted');
  await guard.passed(false);
  assert.equal(await store.epoch(), undefined, 'an app was not reconciled: its route may be missing');
  await mirrored.set(route('b'));
  await guard.passed(true);
  const snap = await store.snapshot();
  assert.ok(snap.epoch);
  assert.deepEqual(snap.routes.map((r) => r.app).sort(), ['a', 'b']);
});

test('a store that lost its table gets the whole table back at once, then a reconcile pass', async () => {
  const { store, guard, mirrored, reconciles } = guarded();
  await store.replaceAll([route('a'), route('b')]);
  await guard.check(); // reads the table under its epoch
  await mirrored.set(route('c', 2));
  await mirrored.remove('a');
  const before = await store.epoch();
  store.lose();
  let resyncs = 0;
  const stop = await store.watch(() => undefined, () => resyncs++);
  await guard.check();
  const snap = await store.snapshot();
  assert.ok(snap.epoch && snap.epoch !== before, 'a new epoch');
  assert.deepEqual(snap.routes.map((r) => `${r.app}@${r.version}`).sort(), ['b@1', 'c@2']);
  await new Promise((r) => setImmediate(r));
  assert.equal(resyncs, 1, 'one announcement for the whole table');
  assert.equal(reconciles(), 1);
  await stop();
});

test('the routes another controller published reach the mirror when the epoch changes or on the periodic read', async () => {
  const { store, guard } = guarded();
  await store.replaceAll([route('a')]);
  await guard.check();
  await store.set(route('theirs')); // another controller, not through this mirror
  for (let i = 0; i < 10; i++) await guard.check();
  store.lose();
  await guard.check();
  assert.deepEqual((await store.list()).map((r) => r.app).sort(), ['a', 'theirs']);
});

test('when another controller wrote the table first, nothing is written over it', async () => {
  const { store, guard, mirrored } = guarded();
  await mirrored.set(route('a'));
  await guard.passed(true);
  store.lose();
  await store.replaceAll([route('z')]); // the other controller was quicker
  await guard.check();
  assert.deepEqual((await store.list()).map((r) => r.app), ['z']);
});

test('the certificates are written back before the routes go back under a new epoch; a failure to restore them does not hold the routes', async () => {
  const store = new MemoryRouteStore();
  const order: string[] = [];
  let restoreFails = false;
  const guard = new RouteEpochGuard({
    store,
    log: createLogger('test', 'silent'),
    reconcile: async () => undefined,
    restoreFirst: async () => {
      order.push(`certs written back (epoch ${(await store.epoch()) === undefined ? 'absent' : 'present'})`);
      if (restoreFails) throw new Error('database_unavailable');
    },
  });
  await store.replaceAll([route('a')]);
  await guard.check();
  store.lose();
  await guard.check();
  assert.deepEqual(order, ['certs written back (epoch absent)']);
  assert.ok(await store.epoch());
  restoreFails = true;
  store.lose();
  await guard.check();
  assert.ok(await store.epoch(), 'the routes were written back anyway');
  assert.deepEqual((await store.list()).map((r) => r.app), ['a']);
});

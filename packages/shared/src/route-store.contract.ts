import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteStore } from './route-store.js';
import type { AppRoute } from './types.js';

/** The contract every RouteStore implementation passes; run by each implementation's test file. */
export function routeStoreContract(name: string, make: () => Promise<{ store: RouteStore; close: () => Promise<void> }>): void {
  const route = (app: string, version: number, port = 5000): AppRoute => ({
    app,
    domains: [`${app}.localhost`],
    backends: [{ process: 'web.1', container: 'c1', host: '127.0.0.1', port }],
    release: 1,
    version,
  });

  test(`${name}: set, get, list and remove routes`, async () => {
    const { store, close } = await make();
    try {
      assert.equal(await store.get('a1'), undefined);
      await store.set(route('a1', 1));
      await store.set(route('b1', 1));
      assert.deepEqual(await store.get('a1'), route('a1', 1));
      assert.deepEqual((await store.list()).map((r) => r.app).sort(), ['a1', 'b1']);
      await store.remove('a1');
      assert.equal(await store.get('a1'), undefined);
      assert.deepEqual((await store.list()).map((r) => r.app), ['b1']);
    } finally {
      await close();
    }
  });

  test(`${name}: watchers hear every change after watch resolves, until they stop`, async () => {
    const { store, close } = await make();
    try {
      const heard: string[] = [];
      const stop = await store.watch((app) => heard.push(app));
      await store.set(route('w1', 1, 5001));
      await store.remove('w1');
      const deadline = Date.now() + 2000;
      while (heard.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(heard, ['w1', 'w1']);
      await stop();
      await store.set(route('w2', 1));
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(heard, ['w1', 'w1']);
    } finally {
      await close();
    }
  });

  test(`${name}: acknowledgements only move forward`, async () => {
    const { store, close } = await make();
    try {
      assert.equal(await store.waitForAck('k1', 1, 20), false);
      const waiting = store.waitForAck('k1', 2, 2000);
      await store.ack('k1', 2);
      assert.equal(await waiting, true);
      await store.ack('k1', 1);
      assert.equal(await store.waitForAck('k1', 2, 20), true);
      assert.equal(await store.waitForAck('k1', 3, 20), false);
    } finally {
      await close();
    }
  });
}

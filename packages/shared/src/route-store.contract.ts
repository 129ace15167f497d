import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAcmeChallengeStore, type RouteStore } from './route-store.js';
import type { AppRoute, CertEntry } from './types.js';

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

  test(`${name}: watchers are told the route as the change left it (null when removed)`, async () => {
    const { store, close } = await make();
    try {
      const heard: [string, unknown][] = [];
      const stop = await store.watch((app, r) => heard.push([app, r]));
      const w = { ...route('w3', 7, 5003), maxBodyMb: 3 };
      await store.set(w);
      await store.remove('w3');
      const deadline = Date.now() + 2000;
      while (heard.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(heard, [['w3', w], ['w3', null]]);
      await stop();
    } finally {
      await close();
    }
  });

  test(`${name}: optional route fields round-trip`, async () => {
    const { store, close } = await make();
    try {
      await store.set({ ...route('o1', 1), maxBodyMb: 5 });
      assert.equal((await store.get('o1'))?.maxBodyMb, 5);
      assert.equal((await store.list())[0]?.maxBodyMb, 5);
    } finally {
      await close();
    }
  });

  const cert = (id: string, names: string[]): CertEntry => ({
    id,
    app: 'a1',
    names,
    cert: '-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n',
    sealedKey: 'v1.sealed',
    expiresAt: '2030-01-01T00:00:00.000Z',
  });

  test(`${name}: certificates are set, replaced, listed and removed, and watchers hear each change`, async () => {
    const { store, close } = await make();
    try {
      const heard: string[] = [];
      const stop = await store.watchCerts((id) => heard.push(id));
      assert.deepEqual(await store.listCerts(), []);
      assert.equal(await store.getCert('c1'), undefined);
      await store.setCert(cert('c1', ['www.example.com']));
      await store.setCert(cert('c2', ['*.example.org']));
      await store.setCert(cert('c1', ['www.example.com', 'example.com']));
      assert.deepEqual(await store.getCert('c1'), cert('c1', ['www.example.com', 'example.com']));
      assert.deepEqual((await store.listCerts()).map((c) => c.id).sort(), ['c1', 'c2']);
      await store.removeCert('c2');
      assert.deepEqual((await store.listCerts()).map((c) => c.id), ['c1']);
      const deadline = Date.now() + 2000;
      while (heard.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(heard, ['c1', 'c2', 'c1', 'c2']);
      await stop();
      await store.removeCert('c1');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(heard.length, 4);
      assert.deepEqual((await store.list()).length, 0, 'certificates are not routes');
    } finally {
      await close();
    }
  });

  test(`${name}: route watchers do not hear certificate changes, nor the other way round`, async () => {
    const { store, close } = await make();
    try {
      const routes: string[] = [];
      const certs: string[] = [];
      const stopRoutes = await store.watch((app) => routes.push(app));
      const stopCerts = await store.watchCerts((id) => certs.push(id));
      await store.setCert(cert('c9', ['x.example.com']));
      await store.set(route('r9', 1));
      const deadline = Date.now() + 2000;
      while ((routes.length < 1 || certs.length < 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 30));
      assert.deepEqual(routes, ['r9']);
      assert.deepEqual(certs, ['c9']);
      await stopRoutes();
      await stopCerts();
    } finally {
      await close();
    }
  });

  test(`${name}: ACME challenges are put, read and removed`, async () => {
    const { store, close } = await make();
    try {
      assert.ok(isAcmeChallengeStore(store));
      const token = `tok_${Math.random().toString(36).slice(2)}xxxxxxxxxxxx`;
      assert.equal(await store.getChallenge(token), undefined);
      await store.putChallenge(token, `${token}.thumb`, 60);
      assert.equal(await store.getChallenge(token), `${token}.thumb`);
      await store.removeChallenge(token);
      assert.equal(await store.getChallenge(token), undefined);
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

  test(`${name}: a whole table replaces the routes under a new epoch and tells watchers to resync`, async () => {
    const { store, close } = await make();
    try {
      await store.set(route('e1', 1));
      assert.deepEqual(await store.snapshot(), { epoch: undefined, routes: [route('e1', 1)] }, 'no epoch before a whole table is written');
      let resyncs = 0;
      const changes: string[] = [];
      const stop = await store.watch((app) => changes.push(app), () => resyncs++);
      const first = await store.replaceAll([route('e2', 2), route('e3', 3)]);
      assert.ok(first);
      assert.equal(await store.epoch(), first);
      const snap = await store.snapshot();
      assert.equal(snap.epoch, first);
      assert.deepEqual(snap.routes.map((r) => r.app).sort(), ['e2', 'e3'], 'routes missing from the whole table are gone');
      assert.equal(await store.replaceAll([route('e4', 4)], { onlyIfNoEpoch: true }), undefined, 'an epoch is there: nothing written');
      assert.deepEqual((await store.list()).map((r) => r.app).sort(), ['e2', 'e3']);
      const second = await store.replaceAll([route('e4', 4)]);
      assert.ok(second && second !== first);
      const deadline = Date.now() + 2000;
      while (resyncs < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.equal(resyncs, 2);
      assert.deepEqual(changes, [], 'a whole table is one resync, not a change per app');
      await stop();
    } finally {
      await close();
    }
  });
}

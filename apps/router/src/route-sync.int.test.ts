import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRouteStore, type RouteStore } from '@paas/shared';
import { RouteTable } from './route-table.js';
import { RouteSync } from './route-sync.js';
import { appRoute, backend, eventually, FaultyStore, quietLogger, redisRouteStore } from './test-support.js';

/** `lose` empties the store as Redis coming back without its data does. */
type MakeStore = () => Promise<{ store: RouteStore; close: () => Promise<void>; lose: () => Promise<void> }>;

const stores: [string, MakeStore][] = [
  [
    'MemoryRouteStore',
    async () => {
      const store = new MemoryRouteStore();
      return { store, close: async () => {}, lose: async () => store.lose() };
    },
  ],
  [
    'RedisRouteStore',
    async () => {
      const r = redisRouteStore();
      const lose = async (): Promise<void> => {
        const left = await r.redis.keys(`${r.keys.prefix}:*`);
        if (left.length) await r.redis.del(...left);
      };
      return { ...r, lose };
    },
  ],
];

const hello = (version = 1, port = 5001) => appRoute('hello', ['hello.localhost'], [backend(port)], version);

function syncer(store: RouteStore, options: { resyncMs?: number; retryMs?: number; storeTimeoutMs?: number } = {}) {
  const table = new RouteTable();
  const sync = new RouteSync(store, table, { logger: quietLogger(), resyncMs: options.resyncMs ?? 60_000, ...options });
  return { table, sync };
}

for (const [name, make] of stores) {
  test(`${name}: the first sync loads every route and acknowledges it`, async () => {
    const { store, close } = await make();
    const { table, sync } = syncer(store);
    try {
      await store.set(hello(3));
      await store.set(appRoute('other', ['other.localhost'], [], 1));
      assert.equal(sync.synced, false);
      await sync.start();
      assert.equal(sync.synced, true);
      assert.equal(table.size, 2);
      assert.equal(table.lookup('hello.localhost')?.version, 3);
      assert.equal(await store.waitForAck('hello', 3, 1000), true);
      assert.equal(await store.waitForAck('other', 1, 1000), true);
    } finally {
      await sync.stop();
      await close();
    }
  });

  test(`${name}: changes after start are applied live, acknowledged, and removals delete`, async () => {
    const { store, close } = await make();
    const { table, sync } = syncer(store);
    try {
      await sync.start();
      assert.equal(table.size, 0);
      await store.set(hello(1, 5001));
      assert.equal(await store.waitForAck('hello', 1, 2000), true);
      assert.equal(table.lookup('hello.localhost')?.backends[0]?.port, 5001);
      await store.set(hello(2, 5002));
      await eventually(() => table.lookup('hello.localhost')?.backends[0]?.port === 5002, 'version 2');
      assert.equal(await store.waitForAck('hello', 2, 2000), true);
      await store.remove('hello');
      await eventually(() => table.size === 0, 'removal');
    } finally {
      await sync.stop();
      await close();
    }
  });

  test(`${name}: the periodic resync catches changes whose announcement was lost`, async () => {
    const { store: real, close } = await make();
    const store = new FaultyStore(real);
    const { table, sync } = syncer(store, { resyncMs: 30 });
    try {
      await store.replaceAll([hello(1)]); // a whole table, as the controller writes it
      await sync.start();
      store.deaf = true;
      await store.set(appRoute('late', ['late.localhost'], [backend(5003)]));
      await store.remove('hello');
      await eventually(() => table.lookup('late.localhost') && !table.lookup('hello.localhost'), 'resync');
      assert.deepEqual(table.apps(), ['late']);
    } finally {
      await sync.stop();
      await close();
    }
  });

  test(`${name}: store errors keep the last good table, and the sync recovers`, async () => {
    const { store: real, close } = await make();
    const store = new FaultyStore(real);
    const { table, sync } = syncer(store, { resyncMs: 60_000, retryMs: 20 });
    try {
      await store.set(hello(1, 5001));
      await sync.start();
      store.failing = true;
      await store.set(hello(2, 5002)); // announced, but get() fails
      await store.set(appRoute('new', ['new.localhost'], [backend(5004)]));
      await sync.resync(); // list() fails too
      assert.equal(sync.synced, true);
      assert.equal(table.lookup('hello.localhost')?.backends[0]?.port, 5001, 'the old route is still served');
      assert.equal(table.lookup('new.localhost'), undefined);
      store.failing = false; // the retry timer (20ms, not the 60s resync) picks the changes up
      await eventually(() => table.lookup('hello.localhost')?.version === 2 && table.lookup('new.localhost'), 'recovery');
    } finally {
      await sync.stop();
      await close();
    }
  });
  test(`${name}: a store that comes back empty leaves the table as it was, until a whole table is written again`, async () => {
    const { store, close, lose } = await make();
    const { table, sync } = syncer(store, { resyncMs: 20 });
    try {
      await store.replaceAll([hello(1), appRoute('gone', ['gone.localhost'], [backend(5009)], 1)]);
      await sync.start();
      assert.deepEqual(table.apps().sort(), ['gone', 'hello']);
      await lose();
      // Resyncs against the empty store (every 20 ms) keep every route.
      await new Promise((r) => setTimeout(r, 150));
      await sync.resync();
      assert.deepEqual(table.apps().sort(), ['gone', 'hello']);
      // A route set meanwhile is applied; the others still stay.
      await store.set(hello(2, 5002));
      await eventually(() => table.lookup('hello.localhost')?.version === 2, 'the new route');
      assert.deepEqual(table.apps().sort(), ['gone', 'hello']);
      // The controller writes the whole table again: the routes it lacks go.
      await store.replaceAll([hello(2, 5002)]);
      await eventually(() => table.apps().length === 1, 'the whole table');
      assert.deepEqual(table.apps(), ['hello']);
    } finally {
      await sync.stop();
      await close();
    }
  });

  test(`${name}: a whole table written again is applied at once on its announcement`, async () => {
    const { store, close } = await make();
    const { table, sync } = syncer(store, { resyncMs: 60_000 });
    try {
      await store.replaceAll([hello(1), appRoute('gone', ['gone.localhost'], [backend(5009)], 1)]);
      await sync.start();
      await store.replaceAll([hello(1)]);
      await eventually(() => table.apps().length === 1, 'the resync the announcement asked for (the timer is 60 s)');
      assert.deepEqual(table.apps(), ['hello']);
      assert.equal(await store.waitForAck('hello', 1, 2000), true);
    } finally {
      await sync.stop();
      await close();
    }
  });
}

test('a store that is down at start leaves the table empty and unsynced, then syncs when it comes back', async () => {
  const store = new FaultyStore(new MemoryRouteStore());
  const { table, sync } = syncer(store, { retryMs: 20 });
  try {
    await store.set(hello(1));
    store.failing = true;
    await sync.start(); // does not reject
    assert.equal(sync.synced, false);
    assert.equal(table.size, 0);
    store.failing = false;
    await eventually(() => sync.synced, 'first sync');
    assert.equal(table.size, 1);
    await store.set(appRoute('after', ['after.localhost'], [backend(5005)]));
    await eventually(() => table.lookup('after.localhost'), 'the watch set up by the retry');
  } finally {
    await sync.stop();
  }
});

test('a store that stops answering times out and the table is kept', async () => {
  const store = new FaultyStore(new MemoryRouteStore());
  const { table, sync } = syncer(store, { storeTimeoutMs: 30 });
  try {
    await store.set(hello(1));
    await sync.start();
    store.hanging = true;
    await sync.resync();
    assert.equal(table.lookup('hello.localhost')?.version, 1);
  } finally {
    await sync.stop();
  }
});

test('RedisRouteStore: a lost Redis connection keeps the last good table', async () => {
  const { store, redis, close } = redisRouteStore();
  const { table, sync } = syncer(store);
  try {
    await store.set(hello(1));
    await sync.start();
    redis.disconnect(); // every further command fails: "Connection is closed"
    await assert.rejects(store.list());
    await sync.resync();
    assert.equal(table.lookup('hello.localhost')?.version, 1);
    assert.equal(sync.synced, true);
  } finally {
    await sync.stop();
    await close();
  }
});

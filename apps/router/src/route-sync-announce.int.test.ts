import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppRoute, RouteStore } from '@paas/shared';
import { RouteTable } from './route-table.js';
import { RouteSync } from './route-sync.js';
import { appRoute, backend, eventually, FaultyStore, quietLogger, redisRouteStore } from './test-support.js';

/** Counts the reads of single routes: an announced change should need none. */
class CountingStore extends FaultyStore {
  gets = 0;
  override async get(app: string): Promise<AppRoute | undefined> {
    this.gets++;
    return super.get(app);
  }
}

type Redis = ReturnType<typeof redisRouteStore>;

async function withSync(run: (store: CountingStore, table: RouteTable, sync: RouteSync, redis: Redis) => Promise<void>): Promise<void> {
  const redis = redisRouteStore();
  const store = new CountingStore(redis.store as RouteStore);
  const table = new RouteTable();
  const sync = new RouteSync(store, table, { logger: quietLogger(), resyncMs: 60_000 });
  try {
    await sync.start();
    await run(store, table, sync, redis);
  } finally {
    await sync.stop();
    await redis.close();
  }
}

test('a change announced with its route (RedisRouteStore) is applied without reading it back; a removal likewise', async () => {
  await withSync(async (store, table, sync) => {
    await store.set(appRoute('hello', ['hello.localhost'], [backend(5001)], 1));
    await eventually(() => table.lookup('hello.localhost')?.version === 1, 'the route');
    await store.set({ ...appRoute('hello', ['hello.localhost'], [backend(5002)], 2), maxBodyMb: 7 });
    await eventually(() => table.lookup('hello.localhost')?.version === 2, 'the new version');
    assert.equal(table.lookup('hello.localhost')?.backends[0]?.port, 5002);
    assert.equal(table.lookup('hello.localhost')?.maxBodyMb, 7);
    await store.remove('hello');
    await eventually(() => table.size === 0, 'the removal');
    await sync.idle();
    assert.equal(store.gets, 0, 'no route was read back');
    assert.equal(await store.waitForAck('hello', 0, 10), false, 'a removed route has no acknowledgement');
  });
});

test('an announcement without its route (as older controllers publish them) is read back', async () => {
  await withSync(async (store, table, sync, { redis, keys }) => {
    // The old announcement: the bare app name on the routes channel, after the hash changed.
    await redis.hset(keys.routes, 'old', JSON.stringify(appRoute('old', ['old.localhost'], [backend(5003)], 3)));
    await redis.publish(keys.routesChanged, 'old');
    await eventually(() => table.lookup('old.localhost')?.version === 3, 'the route, read back');
    await sync.idle();
    assert.equal(store.gets, 1);
  });
});

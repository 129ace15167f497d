import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appRoute, backend, eventually, redisRouteStore } from './test-support.js';
import { json, request, startBackend, startRouter } from './test-http.js';

test('route changes in Redis go live: new app, moved backend, removal; each acknowledged', { timeout: 20_000 }, async () => {
  const { store, close } = redisRouteStore();
  const v1 = await startBackend('v1');
  const v2 = await startBackend('v2');
  const router = await startRouter(store);
  try {
    assert.equal((await request(router.port, 'hello.localhost')).status, 404);

    await store.set(appRoute('hello', ['hello.localhost'], [backend(v1.port)], 1));
    assert.equal(await store.waitForAck('hello', 1, 3000), true, 'the router acknowledged version 1');
    assert.equal(json(await request(router.port, 'hello.localhost')).backend, 'v1');

    await store.set(appRoute('hello', ['hello.localhost'], [backend(v2.port)], 2));
    assert.equal(await store.waitForAck('hello', 2, 3000), true, 'the router acknowledged version 2');
    assert.equal(json(await request(router.port, 'hello.localhost')).backend, 'v2');

    await store.remove('hello');
    await eventually(async () => (await request(router.port, 'hello.localhost')).status === 404, 'removal');
  } finally {
    await router.close();
    await v1.close();
    await v2.close();
    await close();
  }
});

test('with Redis gone, the router keeps serving its last good table', { timeout: 20_000 }, async () => {
  const { store, redis, close } = redisRouteStore();
  const app = await startBackend('app');
  await store.set(appRoute('hello', ['hello.localhost'], [backend(app.port)], 1));
  const router = await startRouter(store);
  try {
    assert.equal(json(await request(router.port, 'hello.localhost')).backend, 'app');
    redis.disconnect();
    await router.sync.resync(); // fails: the connection is closed
    const reply = await request(router.port, 'hello.localhost');
    assert.equal(reply.status, 200);
    assert.equal(json(reply).backend, 'app');
    assert.equal((await request(router.port, 'localhost', { path: '/healthz' })).status, 200);
  } finally {
    await router.close();
    await app.close();
    await close();
  }
});

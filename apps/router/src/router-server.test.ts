import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRouteStore } from '@paas/shared';
import { appRoute, backend, FaultyStore } from './test-support.js';
import { json, request, startBackend, startRouter } from './test-http.js';

test('hosts route to their app: exact, wildcard, exact before wildcard, any case and port', async () => {
  const store = new MemoryRouteStore();
  const hello = await startBackend('hello');
  const shop = await startBackend('shop');
  await store.set(appRoute('hello', ['hello.localhost', 'www.shop.example.com'], [backend(hello.port)]));
  await store.set(appRoute('shop', ['*.shop.example.com'], [backend(shop.port)]));
  const router = await startRouter(store);
  try {
    const via = async (host: string) => json(await request(router.port, host)).backend;
    assert.equal(await via('hello.localhost'), 'hello');
    assert.equal(await via('HELLO.localhost:8080'), 'hello');
    assert.equal(await via('eu.shop.example.com'), 'shop');
    assert.equal(await via('a.b.shop.example.com'), 'shop');
    assert.equal(await via('www.shop.example.com'), 'hello');
  } finally {
    await router.close();
    await hello.close();
    await shop.close();
  }
});

test('an unknown host gets a 404 "No such app" page, HTML or JSON, with the request id', async () => {
  const router = await startRouter(new MemoryRouteStore());
  try {
    const html = await request(router.port, 'nope.localhost');
    assert.equal(html.status, 404);
    assert.match(String(html.headers['content-type']), /text\/html/);
    assert.match(html.body, /No such app/);
    const id = html.headers['x-request-id'];
    assert.ok(typeof id === 'string' && id.length >= 20);
    assert.ok(html.body.includes(id));

    const api = await request(router.port, 'shop.example.com', { headers: { accept: 'application/json', 'x-request-id': 'client-chosen-id-0123456789' } });
    assert.equal(api.status, 404);
    assert.deepEqual(
      { ...json(api), detail: undefined },
      { id: 'app_not_found', message: 'No such app', detail: undefined, request_id: 'client-chosen-id-0123456789' },
    );
    assert.equal(api.headers['x-request-id'], 'client-chosen-id-0123456789');
  } finally {
    await router.close();
  }
});

test('an app with no backends gets a 503 "no web processes running"', async () => {
  const store = new MemoryRouteStore();
  await store.set(appRoute('idle', ['idle.localhost'], []));
  const router = await startRouter(store);
  try {
    const reply = await request(router.port, 'idle.localhost');
    assert.equal(reply.status, 503);
    assert.match(reply.body, /No web processes running/);
    assert.ok(reply.headers['x-request-id']);
  } finally {
    await router.close();
  }
});

test('/healthz answers on the platform domain, localhost and IPs, with the table size', async () => {
  const store = new MemoryRouteStore();
  await store.set(appRoute('a1', ['a1.paas.test'], [backend(1)]));
  await store.set(appRoute('a2', ['a2.paas.test'], []));
  const router = await startRouter(store, { domain: 'paas.test' });
  try {
    for (const host of ['paas.test', 'PAAS.test:8080', 'localhost', 'localhost:80', '127.0.0.1', '[::1]:8080']) {
      const reply = await request(router.port, host, { path: '/healthz' });
      assert.equal(reply.status, 200, host);
      assert.deepEqual(json(reply), { status: 'ok', apps: 2 }, host);
    }
    const other = await request(router.port, 'localhost', { path: '/admin' });
    assert.equal(other.status, 404);
    assert.match(other.body, /Not found/);
    const app = await request(router.port, 'a2.paas.test', { path: '/healthz' });
    assert.equal(app.status, 503, 'an app host is the app’s, even at /healthz');
  } finally {
    await router.close();
  }
});

test('/healthz is 503 until the first sync completed', async () => {
  const store = new FaultyStore(new MemoryRouteStore());
  store.failing = true;
  const router = await startRouter(store);
  try {
    const reply = await request(router.port, 'localhost', { path: '/healthz' });
    assert.equal(reply.status, 503);
    assert.equal(json(reply).apps, 0);
  } finally {
    await router.close();
  }
});

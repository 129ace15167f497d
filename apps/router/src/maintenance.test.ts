import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { MemoryRouteStore } from '@paas/shared';
import { appRoute, backend, eventually } from './test-support.js';
import { request, startBackend, startRouter, type TestBackend, type TestRouter } from './test-http.js';

// Maintenance mode (`paas maintenance:on`) rides in the app's route: 503 with a page, and back.
let web: TestBackend;
let store: MemoryRouteStore;
let router: TestRouter;

before(async () => {
  web = await startBackend('web');
  store = new MemoryRouteStore();
  await store.set({ ...appRoute('shop', ['shop.paas.test'], [backend(web.port)]), maintenance: {} });
  await store.set({ ...appRoute('own', ['own.paas.test'], [backend(web.port)]), maintenance: { page: '<h1>Back soon</h1>' } });
  await store.set(appRoute('open', ['open.paas.test'], [backend(web.port)]));
  router = await startRouter(store);
});
after(async () => {
  await router.close();
  await web.close();
});

test("an app in maintenance answers 503 with the router's page, JSON to API clients, and Retry-After", async () => {
  const page = await request(router.port, 'shop.paas.test', { path: '/cart' });
  assert.equal(page.status, 503);
  assert.equal(page.headers['retry-after'], '60');
  assert.match(page.body, /Under maintenance/);
  const json = await request(router.port, 'shop.paas.test', { headers: { accept: 'application/json' } });
  assert.equal(json.status, 503);
  assert.equal(JSON.parse(json.body).id, 'maintenance');
  assert.equal((await request(router.port, 'open.paas.test')).status, 200, 'other apps are served');
});

test("the app's own page is served when it has one; WebSocket upgrades get the 503 too", async () => {
  const own = await request(router.port, 'own.paas.test', { method: 'POST', body: 'x' });
  assert.equal(own.status, 503);
  assert.equal(own.body, '<h1>Back soon</h1>');
  const head = await new Promise<string>((resolve, reject) => {
    const s = net.connect(router.port, '127.0.0.1', () =>
      s.write('GET /ws HTTP/1.1\r\nhost: shop.paas.test\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'),
    );
    let got = '';
    s.on('data', (c: Buffer) => (got += c.toString()));
    s.on('end', () => resolve(got));
    s.on('error', reject);
  });
  assert.match(head, /^HTTP\/1\.1 503 /);
});

test('turned off, the app is served again', async () => {
  await store.set(appRoute('shop', ['shop.paas.test'], [backend(web.port)], 2));
  await eventually(() => router.table.get('shop')?.version === 2, 'the new route');
  assert.equal((await request(router.port, 'shop.paas.test')).status, 200);
});

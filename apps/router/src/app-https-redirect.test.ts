import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRouteStore } from '@paas/shared';
import { appRoute, backend, eventually } from './test-support.js';
import { request, startBackend, startRouter, type TestBackend, type TestRouter } from './test-http.js';
import { makeTestCert, type TestCert } from '@paas/test-kit';

// PAAS_ROUTER_HTTPS_REDIRECT is off here: only the app whose route asks (`paas router:set --https-redirect on`) is redirected.
let platform: TestCert;
let web: TestBackend;
let store: MemoryRouteStore;
let router: TestRouter;

before(async () => {
  platform = await makeTestCert(['*.paas.test']);
  web = await startBackend('web');
  store = new MemoryRouteStore();
  await store.set({ ...appRoute('secure', ['secure.paas.test', 'secure.example'], [backend(web.port)]), httpsRedirect: true });
  await store.set(appRoute('plain', ['plain.paas.test'], [backend(web.port)]));
  router = await startRouter(store, { domain: 'paas.test', platformCert: { cert: platform.cert, key: platform.key }, httpsRedirect: false });
});
after(async () => {
  await router.close();
  await web.close();
  await platform.cleanup();
});

test('an app whose route asks for it has its plain HTTP requests redirected to HTTPS; other apps do not', async () => {
  const get = await request(router.port, 'secure.paas.test', { path: '/cart?x=1' });
  assert.equal(get.status, 301);
  assert.equal(get.headers['location'], `https://secure.paas.test:${router.tlsPort}/cart?x=1`);
  assert.equal((await request(router.port, 'secure.paas.test', { method: 'POST', body: 'x' })).status, 308);
  assert.equal((await request(router.port, 'plain.paas.test')).status, 200, 'the other app stays on HTTP');
  assert.equal((await request(router.port, 'secure.example')).status, 200, 'a domain no certificate names stays on HTTP');
});

test('the setting follows the route: turned off, the app is served over HTTP again', async () => {
  await store.set(appRoute('secure', ['secure.paas.test'], [backend(web.port)], 2));
  await eventually(() => router.table.get('secure')?.version === 2, 'the new route');
  assert.equal((await request(router.port, 'secure.paas.test')).status, 200);
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRouteStore } from '@paas/shared';
import { appRoute, backend, eventually } from './test-support.js';
import { json, request, startBackend, startRouter, type TestBackend, type TestRouter } from './test-http.js';

describe('ACME HTTP-01 challenges', () => {
  const store = new MemoryRouteStore();
  let app: TestBackend;
  let router: TestRouter;
  const token = 'Ab_-0123456789abcdefXYZ';

  before(async () => {
    app = await startBackend('shop');
    await store.set(appRoute('shop', ['shop.paas.test', 'www.shop.test'], [backend(app.port)]));
    router = await startRouter(store);
    await eventually(() => router.table.lookup('www.shop.test'), 'route synced');
  });
  after(async () => {
    await router.close();
    await app.close();
  });

  test("the platform's challenge is answered by the router, on any of its hosts, before the app", async () => {
    await store.putChallenge(token, `${token}.thumbprint`, 60);
    const res = await request(router.port, 'www.shop.test', { path: `/.well-known/acme-challenge/${token}` });
    assert.equal(res.status, 200);
    assert.equal(res.body, `${token}.thumbprint`);
    assert.equal(app.seen.length, 0);
    // A domain no app has yet (validation may come before the route): answered too.
    assert.equal((await request(router.port, 'new.example.test', { path: `/.well-known/acme-challenge/${token}` })).body, `${token}.thumbprint`);
  });

  test("other tokens, malformed ones and other paths go to the app as usual", async () => {
    for (const path of ['/.well-known/acme-challenge/UnknownToken0123456789', '/.well-known/acme-challenge/../../etc', '/.well-known/acme-challenge/short', '/']) {
      const res = await request(router.port, 'www.shop.test', { path });
      assert.equal(res.status, 200, path);
      assert.equal(json(res)['backend'], 'shop', path);
    }
  });

  test('a removed challenge is no longer answered', async () => {
    await store.removeChallenge(token);
    const res = await request(router.port, 'www.shop.test', { path: `/.well-known/acme-challenge/${token}` });
    assert.equal(json(res)['backend'], 'shop');
  });
});

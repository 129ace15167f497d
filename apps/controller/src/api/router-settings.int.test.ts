// Per-app router settings (HTTPS redirect, body limit) reach the app's route; domain and certificate
// changes are audited; a destroyed app's certificates leave the routers at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';
import { makeTestCert, type TestCert } from '@paas/test-kit';

describe('router settings, domain and certificate audit, certificates of destroyed apps', () => {
  let h: ApiHarness;
  let alice: Awaited<ReturnType<ApiHarness['user']>>;
  let bob: Awaited<ReturnType<ApiHarness['user']>>;
  let admin: Awaited<ReturnType<ApiHarness['user']>>;
  let cert: TestCert;

  before(async () => {
    h = await createApiHarness();
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
    admin = await h.user('root@example.com', 'admin');
    await deployedApp(h, 'shop', alice.user.id);
    cert = await makeTestCert(['www.shop.test']);
  });
  after(async () => {
    await h.close();
    await cert.cleanup();
  });

  type Event = { actor: string | null; action: string; app: string | null; details: Record<string, unknown> };
  const audit = async (query: string): Promise<Event[]> => (await request(h.app).get(`/admin/audit${query}`).set(as(admin)).expect(200)).body as Event[];

  test('the defaults: no redirect, the router’s body limit; the route carries neither', async () => {
    const res = await request(h.app).get('/apps/shop/router').set(as(alice)).expect(200);
    assert.deepEqual(res.body, { https_redirect: false, max_body_mb: null });
    const route = await h.routes.get('shop');
    assert.ok(route, 'the deployed app has a route');
    assert.equal(route.maxBodyMb, undefined);
    assert.equal(route.httpsRedirect, undefined);
  });

  test('router settings are stored, republished in the route at once, audited, and reset with null', async () => {
    const set = await request(h.app).patch('/apps/shop/router').set(as(alice)).send({ https_redirect: true, max_body_mb: 50 });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.deepEqual(set.body, { https_redirect: true, max_body_mb: 50 });
    let route = await h.routes.get('shop');
    assert.equal(route?.maxBodyMb, 50);
    assert.equal(route?.httpsRedirect, true);

    await request(h.app).patch('/apps/shop/router').set(as(alice)).send({ max_body_mb: 200 }).expect(200);
    assert.deepEqual((await request(h.app).get('/apps/shop/router').set(as(alice))).body, { https_redirect: true, max_body_mb: 200 }, 'only what was given changes');
    assert.equal((await h.routes.get('shop'))?.maxBodyMb, 200);

    await request(h.app).patch('/apps/shop/router').set(as(alice)).send({ https_redirect: false, max_body_mb: null }).expect(200);
    route = await h.routes.get('shop');
    assert.equal(route?.maxBodyMb, undefined, "null: the router's default");
    assert.equal(route?.httpsRedirect, undefined);

    const events = await audit('?app=shop&action=router.update');
    assert.deepEqual(
      events.map((e) => [e.actor, e.details]),
      [
        ['alice@example.com', { https_redirect: false, max_body_mb: null }],
        ['alice@example.com', { max_body_mb: 200 }],
        ['alice@example.com', { https_redirect: true, max_body_mb: 50 }],
      ],
    );
  });

  test('bad settings are refused with the rule; other users’ apps are hidden', async () => {
    for (const [body, message] of [
      [{}, /give https_redirect, max_body_mb or both/],
      [{ max_body_mb: 0 }, /^max_body_mb: must be at least 1 MB/],
      [{ max_body_mb: 10_241 }, /^max_body_mb: must be at most 10240 MB/],
      [{ max_body_mb: 1.5 }, /^max_body_mb: must be a whole number of MB/],
      [{ https_redirect: 'yes' }, /^https_redirect: /],
      [{ hsts: true }, /hsts/],
    ] as [Record<string, unknown>, RegExp][]) {
      const res = await request(h.app).patch('/apps/shop/router').set(as(alice)).send(body);
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.match(res.body.message, message, JSON.stringify(body));
    }
    assert.equal((await request(h.app).get('/apps/shop/router').set(as(bob))).status, 404);
    assert.equal((await request(h.app).patch('/apps/shop/router').set(as(bob)).send({ https_redirect: true })).status, 404);
  });

  test('domain and certificate changes are written to the audit log (never the key)', async () => {
    await request(h.app).post('/apps/shop/domains').set(as(alice)).send({ hostname: 'www.shop.test' }).expect(201);
    // A certificate names only the app's own hosts: added while www.shop.test is the shop's.
    const added = await request(h.app).post('/apps/shop/certs').set(as(alice)).send({ certificate_chain: cert.cert, private_key: cert.key }).expect(201);
    await request(h.app).delete(`/apps/shop/certs/${added.body.id}`).set(as(alice)).expect(200);
    await request(h.app).delete('/apps/shop/domains/www.shop.test').set(as(alice)).expect(200);

    const domains = await audit('?app=shop&action=domain.');
    assert.deepEqual(
      domains.map((e) => [e.action, e.actor, e.details]),
      [
        ['domain.remove', 'alice@example.com', { hostname: 'www.shop.test' }],
        ['domain.add', 'alice@example.com', { hostname: 'www.shop.test' }],
      ],
    );
    const certs = await audit('?app=shop&action=cert.');
    assert.deepEqual(certs.map((e) => e.action), ['cert.remove', 'cert.add']);
    for (const e of certs) {
      assert.equal(e.details['id'], added.body.id);
      assert.deepEqual(e.details['names'], ['www.shop.test']);
      assert.equal(e.details['fingerprint'], added.body.fingerprint);
      assert.ok(!JSON.stringify(e.details).includes('PRIVATE'), 'no key in the audit log');
    }
    const refused = await request(h.app).post('/apps/shop/domains').set(as(alice)).send({ hostname: 'bad..name' });
    assert.equal(refused.status, 422);
    assert.equal((await audit('?app=shop&action=domain.add')).length, 1, 'a refused change is not recorded');
  });

  test('destroying an app takes its certificates out of the route store at once', async () => {
    await deployedApp(h, 'doomed', alice.user.id);
    const doomedCert = await makeTestCert(['www.doomed.test']);
    try {
      await request(h.app).post('/apps/doomed/domains').set(as(alice)).send({ hostname: 'www.doomed.test' }).expect(201);
      await request(h.app).post('/apps/shop/domains').set(as(alice)).send({ hostname: 'www.shop.test' }).expect(201);
      const added = await request(h.app).post('/apps/doomed/certs').set(as(alice)).send({ certificate_chain: doomedCert.cert, private_key: doomedCert.key }).expect(201);
      const kept = await request(h.app).post('/apps/shop/certs').set(as(alice)).send({ certificate_chain: cert.cert, private_key: cert.key }).expect(201);
      assert.ok(await h.routes.getCert(added.body.id));
      await request(h.app).delete('/apps/doomed').set(as(alice)).expect(200);
      assert.equal(await h.routes.getCert(added.body.id), undefined, 'gone from the routers without waiting for the resync');
      assert.equal((await h.routes.listCerts()).some((c) => c.app === 'doomed'), false);
      assert.ok(await h.routes.getCert(kept.body.id), "other apps' certificates stay");
    } finally {
      await doomedCert.cleanup();
    }
  });
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { SecretBox } from '@paas/shared';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';
import { makeTestCert, type TestCert } from '@paas/test-kit';

describe('domains and certificates API', () => {
  let h: ApiHarness;
  let alice: { token: string; user: { id: string } };
  let bob: { token: string; user: { id: string } };
  let www: TestCert;
  let other: TestCert;

  before(async () => {
    h = await createApiHarness();
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
    await deployedApp(h, 'shop', alice.user.id);
    await deployedApp(h, 'blog', bob.user.id);
    www = await makeTestCert(['www.shop.test', 'shop.test']);
    other = await makeTestCert(['*.shop.test']);
  });
  after(async () => {
    await h.close();
    await www.cleanup();
    await other.cleanup();
  });

  test('an app lists its default domain; custom ones are added, listed, published in its route and removed', async () => {
    const initial = await request(h.app).get('/apps/shop/domains').set(as(alice)).expect(200);
    assert.deepEqual(
      initial.body.map((d: { hostname: string; kind: string; cname: string | null }) => [d.hostname, d.kind, d.cname]),
      [['shop.localhost', 'default', null]],
    );
    const added = await request(h.app).post('/apps/shop/domains').set(as(alice)).send({ hostname: 'WWW.Shop.test.' }).expect(201);
    assert.equal(added.body.hostname, 'www.shop.test');
    assert.equal(added.body.kind, 'custom');
    assert.equal(added.body.cname, 'shop.localhost');
    assert.match(added.body.id, /^[0-9a-f-]{36}$/);
    assert.ok(added.body.created_at);
    await request(h.app).post('/apps/shop/domains').set(as(alice)).send({ hostname: '*.api.shop.test' }).expect(201);
    assert.deepEqual((await h.routes.get('shop'))?.domains, ['shop.localhost', '*.api.shop.test', 'www.shop.test'], 'republished at once');

    const list = await request(h.app).get('/apps/shop/domains').set(as(alice)).expect(200);
    assert.deepEqual(list.body.map((d: { hostname: string }) => d.hostname), ['shop.localhost', '*.api.shop.test', 'www.shop.test']);

    const removed = await request(h.app).delete('/apps/shop/domains/www.shop.test').set(as(alice)).expect(200);
    assert.equal(removed.body.hostname, 'www.shop.test');
    assert.deepEqual((await h.routes.get('shop'))?.domains, ['shop.localhost', '*.api.shop.test']);
    const again = await request(h.app).delete('/apps/shop/domains/www.shop.test').set(as(alice));
    assert.equal(again.status, 404);
    assert.equal(again.body.id, 'not_found');
    const byDefault = await request(h.app).delete('/apps/shop/domains/shop.localhost').set(as(alice));
    assert.equal(byDefault.status, 422);
  });

  test('bad hostnames are refused with the rule; names under the platform domain are the platform’s', async () => {
    for (const hostname of ['localhost', 'a..b.com', 'www.*.shop.test', '-x.shop.test', '10.0.0.1', 'x_y.shop.test', 'a'.repeat(64) + '.com']) {
      const res = await request(h.app).post('/apps/shop/domains').set(as(alice)).send({ hostname });
      assert.equal(res.status, 422, hostname);
      assert.equal(res.body.id, 'invalid_params');
      assert.match(res.body.message, /^hostname: a hostname must be a lowercase DNS name/, hostname);
    }
    for (const hostname of ['blog.localhost', '*.apps.localhost', 'x.y.localhost']) {
      const res = await request(h.app).post('/apps/shop/domains').set(as(alice)).send({ hostname });
      assert.equal(res.status, 422, hostname);
      assert.match(res.body.message, /platform domain localhost/);
    }
    const missing = await request(h.app).post('/apps/shop/domains').set(as(alice)).send({});
    assert.equal(missing.status, 422);
    assert.match(missing.body.message, /^hostname: is required/);
  });

  test('a hostname belongs to one app: 409 name_taken; another user’s app is a 404', async () => {
    await request(h.app).post('/apps/shop/domains').set(as(alice)).send({ hostname: 'taken.example.com' }).expect(201);
    const clash = await request(h.app).post('/apps/blog/domains').set(as(bob)).send({ hostname: 'taken.example.com' });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.id, 'name_taken');
    const peek = await request(h.app).get('/apps/shop/domains').set(as(bob));
    assert.equal(peek.status, 404);
    assert.equal(peek.body.id, 'app_not_found');
    assert.equal((await request(h.app).post('/apps/shop/domains').set(as(bob)).send({ hostname: 'evil.example.com' })).status, 404);
    assert.equal((await request(h.app).post('/apps/shop/certs').set(as(bob)).send({ certificate_chain: www.cert, private_key: www.key })).status, 404);
  });

  test('certificates: checked, stored with the key sealed, published to the route store, listed and removed', async () => {
    for (const hostname of ['www.shop.test', 'shop.test', '*.shop.test']) {
      await request(h.app).post('/apps/shop/domains').set(as(alice)).send({ hostname }).expect(201);
    }
    const added = await request(h.app).post('/apps/shop/certs').set(as(alice)).send({ certificate_chain: www.cert, private_key: www.key });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.deepEqual(added.body.names, ['www.shop.test', 'shop.test']);
    assert.ok(new Date(added.body.expires_at).getTime() > Date.now());
    assert.equal(added.body.private_key, undefined);
    assert.equal(JSON.stringify(added.body).includes('PRIVATE'), false);

    const stored = await h.db.pool.query('SELECT key_sealed FROM certs WHERE id = $1', [added.body.id]);
    assert.ok(!String(stored.rows[0].key_sealed).includes('PRIVATE KEY'), 'sealed in PostgreSQL');
    const entry = await h.routes.getCert(added.body.id);
    assert.equal(entry?.app, 'shop');
    assert.deepEqual(entry?.names, ['www.shop.test', 'shop.test']);
    assert.ok(!entry?.sealedKey.includes('PRIVATE KEY'), 'sealed in the route store');
    assert.match(new SecretBox('x'.repeat(32)).open(entry!.sealedKey), /^-----BEGIN PRIVATE KEY-----/, 'the routers open it with PAAS_SECRET');

    const dup = await request(h.app).post('/apps/shop/certs').set(as(alice)).send({ certificate_chain: www.cert, private_key: www.key });
    assert.equal(dup.status, 409);
    const mismatch = await request(h.app).post('/apps/shop/certs').set(as(alice)).send({ certificate_chain: www.cert, private_key: other.key });
    assert.equal(mismatch.status, 422);
    assert.match(mismatch.body.message, /^private_key: does not match the certificate/);
    const garbage = await request(h.app).post('/apps/shop/certs').set(as(alice)).send({ certificate_chain: 'hello', private_key: www.key });
    assert.equal(garbage.status, 422);
    assert.match(garbage.body.message, /^certificate_chain: /);

    const second = await request(h.app).post('/apps/shop/certs').set(as(alice)).send({ certificate_chain: other.cert, private_key: other.key }).expect(201);
    const list = await request(h.app).get('/apps/shop/certs').set(as(alice)).expect(200);
    assert.deepEqual(list.body.map((c: { id: string }) => c.id), [added.body.id, second.body.id]);

    await request(h.app).delete('/apps/shop/certs/www.shop.test').set(as(alice)).expect(200);
    assert.equal(await h.routes.getCert(added.body.id), undefined);
    assert.equal((await request(h.app).delete('/apps/shop/certs/nope.shop.test').set(as(alice))).status, 404);
    await request(h.app).delete(`/apps/shop/certs/${second.body.id}`).set(as(alice)).expect(200);
    assert.deepEqual((await request(h.app).get('/apps/shop/certs').set(as(alice))).body, []);
  });

  test('a certificate names only its app’s own hosts: the platform’s wildcard and other apps’ names are refused', async () => {
    const certs = await Promise.all([
      makeTestCert(['*.localhost']),
      makeTestCert(['blog.localhost', 'www.shop.test']),
      makeTestCert(['blog.localhost', 'shop.localhost']),
      makeTestCert(['blog.example.org']),
      makeTestCert(['blog.localhost', 'www.blog.example.org', 'x.any.blog.example.org']),
    ]);
    const [platformWildcard, otherAppsName, otherAppsDefault, unclaimed, own] = certs;
    try {
      const refused = async (c: TestCert, name: string, pattern: RegExp) => {
        const res = await request(h.app).post('/apps/blog/certs').set(as(bob)).send({ certificate_chain: c.cert, private_key: c.key });
        assert.equal(res.status, 422, name);
        assert.equal(res.body.id, 'invalid_params');
        assert.equal(res.body.name, name);
        assert.match(res.body.message, pattern);
      };
      await refused(platformWildcard!, '*.localhost', /^certificate_chain: the certificate covers \*\.localhost, under the platform domain localhost: its certificates are the operator's/);
      await request(h.app).post('/apps/shop/domains').set(as(alice)).send({ hostname: 'www.shop.test' });
      await refused(otherAppsName!, 'www.shop.test', /covers www\.shop\.test, which is another app's domain/);
      await refused(otherAppsDefault!, 'shop.localhost', /covers shop\.localhost, under the platform domain/);
      await refused(unclaimed!, 'blog.example.org', /covers blog\.example\.org, which is not a domain of blog \(add it first with paas domains:add blog\.example\.org -a blog\)/);
      assert.deepEqual((await request(h.app).get('/apps/blog/certs').set(as(bob))).body, []);

      // Its default hostname, its domains and names under its wildcard domains are its own.
      await request(h.app).post('/apps/blog/domains').set(as(bob)).send({ hostname: 'www.blog.example.org' }).expect(201);
      await request(h.app).post('/apps/blog/domains').set(as(bob)).send({ hostname: '*.any.blog.example.org' }).expect(201);
      const ok = await request(h.app).post('/apps/blog/certs').set(as(bob)).send({ certificate_chain: own!.cert, private_key: own!.key });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      // Once claimed as a domain, the unclaimed name is accepted too.
      await request(h.app).post('/apps/blog/domains').set(as(bob)).send({ hostname: 'blog.example.org' }).expect(201);
      await request(h.app).post('/apps/blog/certs').set(as(bob)).send({ certificate_chain: unclaimed!.cert, private_key: unclaimed!.key }).expect(201);
    } finally {
      for (const c of certs) await c.cleanup();
    }
  });

  test('a wildcard, like a name, belongs to one app', async () => {
    await request(h.app).post('/apps/shop/domains').set(as(alice)).send({ hostname: '*.wild.example.com' }).expect(201);
    const clash = await request(h.app).post('/apps/blog/domains').set(as(bob)).send({ hostname: '*.WILD.example.com.' });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.id, 'name_taken');
  });
});

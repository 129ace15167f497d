// Bad input is refused with a 4xx and a message, and nothing is stored.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';

describe('bad input', () => {
  let h: ApiHarness;
  let alice: Awaited<ReturnType<ApiHarness['user']>>;
  let admin: Awaited<ReturnType<ApiHarness['user']>>;

  before(async () => {
    h = await createApiHarness();
    alice = await h.user('alice@example.com');
    admin = await h.user('root@example.com', 'admin');
    await deployedApp(h, 'shop', alice.user.id);
  });
  after(async () => h.close());

  const count = async (table: string): Promise<number> =>
    (await h.db.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;
  const snapshot = async () => ({
    apps: await count('apps'),
    users: await count('users'),
    config: await count('config_vars'),
    collaborators: await count('collaborators'),
    tokens: await count('api_tokens'),
    quotas: await count('quotas'),
  });

  test('malformed JSON is a 422 naming the problem; every response has a Request-Id', async () => {
    const before = await snapshot();
    for (const [path, method] of [['/apps', 'post'], ['/apps/shop/config-vars', 'patch'], ['/auth/login', 'post']] as const) {
      const res = await request(h.app)[method](path).set(as(alice)).set('content-type', 'application/json').send('{"name": "x",');
      assert.equal(res.status, 422, path);
      assert.equal(res.body.id, 'invalid_params');
      assert.match(res.body.message, /not valid JSON/);
      assert.ok(res.headers['request-id']);
    }
    const echoed = await request(h.app).get('/apps').set(as(alice)).set('x-request-id', 'trace-123');
    assert.equal(echoed.headers['request-id'], 'trace-123');
    const unsafe = await request(h.app).get('/apps').set(as(alice)).set('x-request-id', 'a b;<script>');
    assert.match(String(unsafe.headers['request-id']), /^[0-9a-f-]{36}$/, 'an unsafe id is replaced');
    assert.deepEqual(await snapshot(), before);
  });

  test('bodies over 1 MB are refused with 413', async () => {
    const before = await snapshot();
    const big = { BIG: 'x'.repeat(1_100_000) };
    const res = await request(h.app).patch('/apps/shop/config-vars').set(as(alice)).send(big);
    assert.equal(res.status, 413);
    assert.equal(res.body.id, 'payload_too_large');
    assert.deepEqual(await snapshot(), before);
  });

  test('wrong types are 422 naming the field', async () => {
    const before = await snapshot();
    const cases: [string, 'post' | 'patch' | 'put', object, RegExp][] = [
      ['/apps', 'post', { name: 42 }, /^name: /],
      ['/apps', 'post', [], /^name: |Expected object/],
      ['/apps/shop/formation', 'patch', { updates: [{ type: 'web', quantity: 'two' }] }, /^updates\.0\.quantity: /],
      ['/apps/shop/formation', 'patch', { updates: 'web=2' }, /^updates: /],
      ['/apps/shop/config-vars', 'patch', { A: 1 }, /^A: /],
      ['/apps/shop/config-vars', 'patch', { A: { nested: true } }, /^A: /],
      ['/apps/shop/collaborators', 'post', { user: ['bob@example.com'] }, /^user: /],
      ['/account/authorizations', 'post', { description: 7 }, /^description: /],
      ['/admin/users', 'post', { email: 'new@example.com', password: 'long enough', admin: 'yes' }, /^admin: /],
      ['/admin/users', 'post', { email: 'new@example.com', password: 'short' }, /^password: /],
      ['/admin/users/alice@example.com/quota', 'put', { processes: '10' }, /^processes: /],
    ];
    for (const [path, method, body, message] of cases) {
      const res = await request(h.app)[method](path).set(as(admin)).send(body);
      assert.equal(res.status, 422, `${path} ${JSON.stringify(body)}: ${res.status} ${res.body.message}`);
      assert.match(res.body.message, message, path);
    }
    const query = await request(h.app).get('/apps?limit=abc').set(as(alice));
    assert.equal(query.status, 422);
    assert.match(query.body.message, /^limit: /);
    const cursor = await request(h.app).get('/apps?cursor=%27%3B%20DROP').set(as(alice));
    assert.equal(cursor.status, 422);
    assert.deepEqual(await snapshot(), before);
  });

  test('SQL-looking strings are refused where they cannot be names, and stored verbatim where they are data', async () => {
    const before = await snapshot();
    const sql = "x'; DROP TABLE apps; --";
    assert.equal((await request(h.app).post('/apps').set(as(alice)).send({ name: sql })).status, 422);
    assert.equal((await request(h.app).patch('/apps/shop/config-vars').set(as(alice)).send({ [sql]: 'v' })).status, 422);
    assert.equal((await request(h.app).post('/auth/login').send({ email: "' OR 1=1 --", password: 'x' })).status, 422);
    assert.equal((await request(h.app).post('/auth/login').send({ email: "admin'--@example.com", password: "' OR '1'='1" })).status, 401);
    assert.equal((await request(h.app).get(`/apps/${encodeURIComponent(sql)}`).set(as(alice))).status, 404);
    assert.equal((await request(h.app).get(`/admin/users/${encodeURIComponent(sql)}/quota`).set(as(admin))).status, 404);
    assert.equal((await request(h.app).get(`/admin/audit?user=${encodeURIComponent(sql)}&action=%25`).set(as(admin))).status, 200);
    assert.deepEqual(await snapshot(), before);
    // As a value it is just data.
    const set = await request(h.app).patch('/apps/shop/config-vars').set(as(alice)).send({ SQL: sql });
    assert.equal(set.status, 200);
    assert.equal(set.body.SQL, sql);
    assert.equal(await count('apps'), before.apps);
  });

  test('path-traversal names are refused or not found, and touch nothing', async () => {
    const before = await snapshot();
    for (const name of ['../etc', '..', '.', 'a/../../b', '%2e%2e', 'shop/../other']) {
      const res = await request(h.app).post('/apps').set(as(alice)).send({ name });
      assert.equal(res.status, 422, name);
    }
    for (const path of ['/apps/..%2F..%2Fetc/config-vars', '/apps/%2e%2e/releases', '/apps/shop/builds/..%2F..%2Fetc%2Fpasswd', '/apps/shop/collaborators/..%2F..']) {
      const res = await request(h.app).get(path).set(as(alice));
      assert.ok(res.status === 404 || res.status === 422, `${path}: ${res.status}`);
    }
    const del = await request(h.app).delete('/apps/shop/collaborators/..%2F..%2Fadmin').set(as(alice));
    assert.equal(del.status, 404);
    for (const path of ['/../shop.git/info/refs', '/shop.git/../../etc/passwd', '/%2e%2e/shop.git/info/refs?service=git-receive-pack']) {
      const res = await request(h.app).get(path).set(as(alice));
      assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
    }
    assert.deepEqual(await snapshot(), before);
  });

  test('unknown routes are 404 for signed-in users and 401 for anonymous ones', async () => {
    const signedIn = await request(h.app).get('/no/such/route').set(as(alice));
    assert.equal(signedIn.status, 404);
    assert.equal((await request(h.app).get('/no/such/route')).status, 401);
  });
});

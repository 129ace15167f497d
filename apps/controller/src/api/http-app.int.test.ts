import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { findAppByName } from '../db/apps.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';

describe('REST API', () => {
  let h: ApiHarness;
  let alice: { token: string };
  let bob: { token: string };
  let admin: { token: string };
  const as = (t: { token: string }) => ({ Authorization: `Bearer ${t.token}` });

  before(async () => {
    h = await createApiHarness();
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
    admin = await h.user('root@example.com', 'admin');
  });
  after(async () => h.close());

  test('login: right password gives a working token, wrong one a 401', async () => {
    const bad = await request(h.app).post('/auth/login').send({ email: 'alice@example.com', password: 'nope' });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.id, 'unauthorized');
    const ok = await request(h.app).post('/auth/login').send({ email: 'ALICE@example.com', password: 'secret-pw' });
    assert.equal(ok.status, 200);
    const me = await request(h.app).get('/account').set({ Authorization: `Bearer ${ok.body.token}` });
    assert.equal(me.body.email, 'alice@example.com');
    const invalid = await request(h.app).post('/auth/login').send({ email: 'not-an-email' });
    assert.equal(invalid.status, 422);
    assert.match(invalid.body.message, /email/);
  });

  test('anonymous and forged tokens get 401; every response has a Request-Id', async () => {
    const anon = await request(h.app).get('/apps');
    assert.equal(anon.status, 401);
    assert.ok(anon.headers['request-id']);
    const forged = await request(h.app).get('/apps').set({ Authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' });
    assert.equal(forged.status, 401);
  });

  test('API tokens authenticate until the user is gone', async () => {
    const created = await request(h.app).post('/account/authorizations').set(as(alice)).send({ description: 'ci' });
    assert.equal(created.status, 201);
    const token = created.body.access_token.token;
    assert.match(token, /^paas_/);
    const me = await request(h.app).get('/account').set({ Authorization: `Bearer ${token}` });
    assert.equal(me.body.email, 'alice@example.com');
    const wrong = await request(h.app).get('/account').set({ Authorization: `Bearer ${token}x` });
    assert.equal(wrong.status, 401);
  });

  test('app names are checked, unique, and apps are private to their owner', async () => {
    for (const name of ['../x', 'Hello', 'a'.repeat(31), '']) {
      const res = await request(h.app).post('/apps').set(as(alice)).send({ name });
      assert.equal(res.status, 422, name);
      assert.equal(res.body.id, 'invalid_params');
      assert.match(res.body.message, /^name: /);
    }
    const created = await request(h.app).post('/apps').set(as(alice)).send({ name: 'shop' });
    assert.equal(created.status, 201);
    assert.equal(created.body.web_url, 'http://shop.localhost:8080/');
    assert.equal(created.body.git_url, 'http://127.0.0.1:5050/shop.git');
    assert.equal(created.body.current_release, null);
    const again = await request(h.app).post('/apps').set(as(bob)).send({ name: 'shop' });
    assert.equal(again.status, 409);
    assert.equal(again.body.id, 'name_taken');

    assert.deepEqual((await request(h.app).get('/apps').set(as(alice))).body.map((a: { name: string }) => a.name), ['shop']);
    assert.deepEqual((await request(h.app).get('/apps').set(as(bob))).body, []);
    const peek = await request(h.app).get('/apps/shop').set(as(bob));
    assert.equal(peek.status, 404);
    assert.equal(peek.body.id, 'app_not_found');
    assert.equal((await request(h.app).get('/apps/shop/config-vars').set(as(bob))).status, 404);
    assert.equal((await request(h.app).get('/apps/shop').set(as(admin))).status, 200);
  });

  test('config vars: set, unset, refused names, and a release when the app is deployed', async () => {
    await request(h.app).post('/apps').set(as(alice)).send({ name: 'cfg' }).expect(201);
    const set = await request(h.app).patch('/apps/cfg/config-vars').set(as(alice)).send({ GREETING: 'hello', DEBUG: '1' });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body, { DEBUG: '1', GREETING: 'hello' });
    assert.equal(set.headers['paas-release'], undefined, 'no release before the first deploy');
    const unset = await request(h.app).patch('/apps/cfg/config-vars').set(as(alice)).send({ DEBUG: null });
    assert.deepEqual(unset.body, { GREETING: 'hello' });
    for (const body of [{ '1BAD': 'x' }, { PORT: '80' }, {}, { A: 5 }]) {
      const res = await request(h.app).patch('/apps/cfg/config-vars').set(as(alice)).send(body);
      assert.equal(res.status, 422, JSON.stringify(body));
    }

    const app = (await findAppByName(h.db.pool, 'cfg'))!;
    await h.releases.release(app, { image: 'img:1', processTypes: { web: 'npm start', worker: 'node w.js' }, buildId: null, description: 'Deploy 1234567', userId: null });
    const procs = await h.runtime.list({ app: 'cfg' });
    assert.deepEqual(procs.map((p) => p.name), ['web.1'], 'first release runs web=1');
    const route = await h.routes.get('cfg');
    assert.equal(route?.release, 1);
    assert.equal(route?.backends.length, 1);

    const changed = await request(h.app).patch('/apps/cfg/config-vars').set(as(alice)).send({ GREETING: 'hi' });
    assert.equal(changed.headers['paas-release'], '2');
    const releases = (await request(h.app).get('/apps/cfg/releases').set(as(alice))).body;
    assert.deepEqual(
      releases.map((r: { version: number; description: string; current: boolean }) => [r.version, r.description, r.current]),
      [
        [2, 'Set GREETING config vars', true],
        [1, 'Deploy 1234567', false],
      ],
    );
    const after = await h.runtime.list({ app: 'cfg' });
    assert.deepEqual(after.map((p) => [p.name, p.release]), [['web.1', 2]], 'the old process was replaced');
  });

  test('scaling follows the formation and is refused for unknown types', async () => {
    await request(h.app).post('/apps').set(as(alice)).send({ name: 'scaler' }).expect(201);
    const early = await request(h.app).patch('/apps/scaler/formation').set(as(alice)).send({ updates: [{ type: 'web', quantity: 2 }] });
    assert.equal(early.status, 422);
    const app = (await findAppByName(h.db.pool, 'scaler'))!;
    await h.releases.release(app, { image: 'img:1', processTypes: { web: 'npm start', worker: 'node w.js' }, buildId: null, description: 'Deploy 1', userId: null });
    const res = await request(h.app)
      .patch('/apps/scaler/formation')
      .set(as(alice))
      .send({ updates: [{ type: 'web', quantity: 3 }, { type: 'worker', quantity: 1 }] });
    assert.equal(res.status, 200);
    const dynos = (await request(h.app).get('/apps/scaler/dynos').set(as(alice))).body;
    assert.deepEqual(dynos.map((d: { name: string }) => d.name), ['web.1', 'web.2', 'web.3', 'worker.1']);
    assert.equal((await h.routes.get('scaler'))?.backends.length, 3);
    await request(h.app).patch('/apps/scaler/formation').set(as(alice)).send({ updates: [{ type: 'web', quantity: 1 }] }).expect(200);
    assert.equal((await h.runtime.list({ app: 'scaler' })).filter((p) => p.type === 'web').length, 1);
    const bad = await request(h.app).patch('/apps/scaler/formation').set(as(alice)).send({ updates: [{ type: 'clock', quantity: 1 }] });
    assert.equal(bad.status, 422);
    assert.match(bad.body.message, /no clock process type/);
    const negative = await request(h.app).patch('/apps/scaler/formation').set(as(alice)).send({ updates: [{ type: 'web', quantity: -1 }] });
    assert.equal(negative.status, 422);
  });

  test('destroying an app removes its processes, route and record', async () => {
    await request(h.app).post('/apps').set(as(alice)).send({ name: 'gone' }).expect(201);
    const app = (await findAppByName(h.db.pool, 'gone'))!;
    await h.releases.release(app, { image: 'img:1', processTypes: { web: 'x' }, buildId: null, description: 'Deploy 1', userId: null });
    assert.equal((await request(h.app).delete('/apps/gone').set(as(bob))).status, 404);
    await request(h.app).delete('/apps/gone').set(as(alice)).expect(200);
    assert.deepEqual(await h.runtime.list({ app: 'gone' }), []);
    assert.equal(await h.routes.get('gone'), undefined);
    assert.ok(h.runtime.removedApps.includes('gone'));
    assert.equal((await request(h.app).get('/apps/gone').set(as(alice))).status, 404);
  });

  test('the hooks endpoint refuses callers without the hook token or a matching push', async () => {
    const noToken = await request(h.app).post('/internal/git/shop/receive?commit=' + 'a'.repeat(40));
    assert.equal(noToken.status, 401);
    const noPush = await request(h.app)
      .post('/internal/git/shop/receive?commit=' + 'a'.repeat(40))
      .set('x-paas-hook-token', 'hook-token');
    assert.equal(noPush.status, 401);
    assert.match(noPush.body.message, /no authorised push/);
  });
});

// Heroku's Platform API v3 as paas answers it (issue 24, item 1), against the real PostgreSQL and
// Redis with the in-memory runtime: Range pagination, the headers, Heroku's error ids, the aliases
// and resources Heroku's CLI reads, and what another tenant and hostile input get.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { makeTestCert } from '@paas/test-kit';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';
import { LogSessions } from './heroku/log-sessions.js';
import { missingHerokuFields, type herokuFieldsOf } from '@paas/shared/api-contract';

const heroku = { Accept: 'application/vnd.heroku+json; version=3' };

describe("Heroku's Platform API", () => {
  let h: ApiHarness;
  let alice: { token: string; user: { id: string; email: string } };
  let bob: { token: string; user: { id: string } };

  before(async () => {
    h = await createApiHarness({ addons: {} });
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
    for (const name of ['happ-a', 'happ-b', 'happ-c']) await deployedApp(h, name, alice.user.id);
    await deployedApp(h, 'hbob', bob.user.id);
  });
  after(async () => {
    await h.close();
  });

  test('every answer carries Request-Id and RateLimit-Remaining; Heroku clients get Heroku error ids', async () => {
    for (const res of [
      await request(h.app).get('/account').set(as(alice)).set(heroku).expect(200),
      await request(h.app).get('/apps/nope').set(as(alice)).set(heroku).expect(404),
      await request(h.app).get('/account').expect(401),
    ]) {
      assert.match(String(res.headers['request-id']), /^[\w-]+$/);
      assert.match(String(res.headers['ratelimit-remaining']), /^\d+$/);
    }
    const missing = await request(h.app).get('/apps/nope').set(as(alice)).set(heroku).expect(404);
    assert.equal(missing.body.id, 'not_found');
    assert.equal(missing.body.paas_id, 'app_not_found');
    // paas's own clients keep paas's codes
    assert.equal((await request(h.app).get('/apps/nope').set(as(alice)).expect(404)).body.id, 'app_not_found');
  });

  test('/users/~/apps and /account/apps list what /apps lists; Range walks it with Next-Range and 206', async () => {
    const all = (await request(h.app).get('/apps').set(as(alice)).set(heroku).expect(200)).body.map((a: { name: string }) => a.name);
    assert.deepEqual(all, ['happ-a', 'happ-b', 'happ-c']);
    for (const path of ['/users/~/apps', '/account/apps']) {
      assert.deepEqual((await request(h.app).get(path).set(as(alice)).set(heroku).expect(200)).body.map((a: { name: string }) => a.name), all);
    }
    const first = await request(h.app).get('/users/~/apps').set(as(alice)).set(heroku).set('Range', 'id ..; max=2').expect(206);
    assert.equal(first.body.length, 2);
    const next = String(first.headers['next-range']);
    assert.match(next, /^id \]\S+\.\.; max=2$/);
    const second = await request(h.app).get('/users/~/apps').set(as(alice)).set(heroku).set('Range', next).expect(200);
    assert.equal(second.headers['next-range'], undefined);
    assert.deepEqual([...first.body, ...second.body].map((a: { name: string }) => a.name), all);
    // Heroku's CLI's own spellings
    await request(h.app).get('/apps').set(as(alice)).set('Range', 'id ..; max=1000;').expect(200);
    await request(h.app).get('/apps/happ-a/releases').set(as(alice)).set('Range', 'version ..; order=desc,max=1').expect(200);
    await request(h.app).get('/apps').set(as(alice)).set('Range', '').expect(200);
    // Bob sees only his own app
    assert.deepEqual((await request(h.app).get('/users/~/apps').set(as(bob)).expect(200)).body.map((a: { name: string }) => a.name), ['hbob']);
  });

  test('a list that is not paginated in the database is ranged in memory', async () => {
    for (const host of ['a.example.com', 'b.example.com', 'c.example.com']) {
      await request(h.app).post('/apps/happ-a/domains').set(as(alice)).send({ hostname: host }).expect(201);
    }
    const first = await request(h.app).get('/apps/happ-a/domains').set(as(alice)).set('Range', 'hostname ..; max=2').expect(206);
    assert.deepEqual(first.body.map((d: { hostname: string }) => d.hostname), ['a.example.com', 'b.example.com']);
    const rest = await request(h.app).get('/apps/happ-a/domains').set(as(alice)).set('Range', String(first.headers['next-range'])).expect(200);
    assert.deepEqual(rest.body.map((d: { hostname: string }) => d.hostname), ['c.example.com', 'happ-a.localhost']);
  });

  test('bad Range headers are a 416 naming the problem, never a 500', async () => {
    for (const range of ['bytes=0-100', 'id ..; max=100000', 'id ..; max=0', 'id ..; max=-3', 'id ..; order=sideways', 'id ]%%%..; max=2', 'id ..; colour=red', `id ${'a'.repeat(2000)}..; max=2`]) {
      const res = await request(h.app).get('/apps').set(as(alice)).set(heroku).set('Range', range);
      assert.equal(res.status, 416, `${range}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.id, 'requested_range_not_satisfiable');
    }
    const res = await request(h.app).get('/apps/happ-a/domains').set(as(alice)).set('Range', 'nosuchfield ..; max=2');
    assert.equal(res.status, 416);
  });

  test('formation quantities as numbers or numeric strings; "2x" and the like are a 422', async () => {
    const scaled = await request(h.app).patch('/apps/happ-a/formation').set(as(alice)).send({ updates: [{ type: 'web', quantity: '2' }] }).expect(200);
    assert.equal(scaled.body.find((f: { type: string }) => f.type === 'web').quantity, 2);
    assert.deepEqual(scaled.body[0].app, { id: scaled.body[0].app.id, name: 'happ-a' });
    for (const quantity of ['2x', '-1', '', '1e3', 2.5, '101', null]) {
      const res = await request(h.app).patch('/apps/happ-a/formation').set(as(alice)).send({ updates: [{ type: 'web', quantity }] });
      assert.equal(res.status, 422, `${JSON.stringify(quantity)}: ${res.status}`);
      assert.match(res.body.message, /quantity/);
    }
    await request(h.app).patch('/apps/happ-a/formation').set(as(alice)).send({ updates: [{ type: 'web', quantity: 1 }] }).expect(200);
  });

  test('releases say status, current and eligible_for_rollback; the CLI\'s "previous eligible" rollback works', async () => {
    await request(h.app).patch('/apps/happ-b/config-vars').set(as(alice)).send({ A: '1' }).expect(200);
    const list = await request(h.app).get('/apps/happ-b/releases').set(as(alice)).set(heroku).set('Range', 'version ..; max=10, order=desc').expect(200);
    assert.deepEqual(list.body.map((r: { version: number; current: boolean; eligible_for_rollback: boolean; status: string }) => [r.version, r.current, r.eligible_for_rollback, r.status]), [
      [2, true, true, 'succeeded'],
      [1, false, true, 'succeeded'],
    ]);
    // what `heroku rollback` with no version does: the second eligible release, newest first
    const target = list.body.filter((r: { eligible_for_rollback: boolean }) => r.eligible_for_rollback)[1];
    const rolled = await request(h.app).post('/apps/happ-b/releases').set(as(alice)).set(heroku).send({ release: target.id }).expect(201);
    assert.equal(rolled.body.version, 3);
    assert.equal(rolled.body.current, true);
  });

  test('dynos: the current release only, each name once (not the one a deploy is replacing)', async () => {
    const { app } = await deployedApp(h, 'hdyno', alice.user.id);
    await h.deployer.reconcile(app);
    // the process a deploy is draining: an older release's web.1, still up beside its replacement
    await h.runtime.start({ app: 'hdyno', release: 0, type: 'web', index: 1, image: 'img:0', command: 'npm start', env: {}, port: 5000, publish: true });
    assert.equal((await h.runtime.list({ app: 'hdyno' })).filter((p) => p.name === 'web.1').length, 2);
    const dynos = (await request(h.app).get('/apps/hdyno/dynos').set(as(alice)).set(heroku).expect(200)).body as { name: string; release: { version: number }; app: { name: string } }[];
    assert.deepEqual(dynos.map((d) => [d.name, d.release.version, d.app.name]), [['web.1', 1, 'hdyno']]);
  });

  test('log sessions: a logplex_url that streams the log once, with no other credentials; bad input and other tenants refused', async () => {
    await h.logs.events.say('happ-c', 'hello from the platform');
    const created = await request(h.app).post('/apps/happ-c/log-sessions').set(as(alice)).set(heroku).send({ lines: 10, tail: false }).expect(201);
    const url = new URL(created.body.logplex_url as string);
    assert.match(url.pathname, /^\/log-sessions\/[A-Za-z0-9_-]{43}$/);
    assert.ok(!url.href.includes(alice.token), 'the API token is not in the URL');
    const streamed = await request(h.app).get(url.pathname).expect(200);
    assert.match(streamed.text, /hello from the platform/);
    const sse = await request(h.app).post('/apps/happ-c/log-sessions').set(as(alice)).send({ lines: '5', source: 'heroku' }).expect(201);
    const events = await request(h.app).get(new URL(sse.body.logplex_url as string).pathname).set('Accept', 'text/event-stream').expect(200);
    assert.match(events.text, /^data: .*hello from the platform/m);
    // used once: the second GET is a 404
    const again = await request(h.app).get(url.pathname).expect(404);
    assert.equal(again.body.id, 'log_session_not_found');
    await request(h.app).get('/log-sessions/not-a-token').expect(404);
    await request(h.app).get(`/log-sessions/${'A'.repeat(43)}`).expect(404);
    for (const body of [{ lines: 'many' }, { lines: 0 }, { lines: 1e9 }, { source: 'kernel' }, { dyno: 'WEB!' }, { tail: 'yes' }, { colour: 'red' }]) {
      const res = await request(h.app).post('/apps/happ-c/log-sessions').set(as(alice)).send(body);
      assert.equal(res.status, 422, `${JSON.stringify(body)}: ${res.status}`);
    }
    await request(h.app).post('/apps/happ-c/log-sessions').set(as(bob)).send({}).expect(404);
    await request(h.app).post('/apps/happ-c/log-sessions').send({}).expect(401);
  });

  test('a log session expires', async () => {
    const sessions = new LogSessions(h.redis, h.keys, 1);
    const { token } = await sessions.create({ app_id: '00000000-0000-4000-8000-000000000000', user_id: alice.user.id, lines: 1, tail: false });
    const keys = await h.redis.keys(`${h.keys.prefix}:log-session:*`);
    assert.ok(keys.length >= 1);
    for (const k of keys) assert.ok((await h.redis.ttl(k)) <= 1);
    // what the TTL does at its end, without waiting for it
    for (const k of keys) await h.redis.del(k);
    assert.equal(await sessions.take(token), undefined);
  });

  test('regions: one, this cluster', async () => {
    const regions = (await request(h.app).get('/regions').set(as(alice)).expect(200)).body as { name: string; id: string }[];
    assert.deepEqual(regions.map((r) => r.name), ['test-region']);
    await request(h.app).get('/regions/test-region').set(as(alice)).expect(200);
    await request(h.app).get(`/regions/${regions[0]!.id}`).set(as(alice)).expect(200);
    await request(h.app).get('/regions/mars').set(as(alice)).expect(404);
    assert.equal((await request(h.app).get('/apps/happ-a').set(as(alice)).expect(200)).body.region.name, 'test-region');
  });

  test('features: the real https-redirect switch; account features an empty list; others refused', async () => {
    const list = (await request(h.app).get('/apps/happ-a/features').set(as(alice)).expect(200)).body as { name: string; enabled: boolean }[];
    assert.deepEqual(list.map((f) => [f.name, f.enabled]), [['https-redirect', false]]);
    const on = await request(h.app).patch('/apps/happ-a/features/https-redirect').set(as(alice)).send({ enabled: true }).expect(200);
    assert.equal(on.body.enabled, true);
    assert.equal((await request(h.app).get('/apps/happ-a/router').set(as(alice)).expect(200)).body.https_redirect, true);
    assert.equal((await h.routes.get('happ-a'))?.httpsRedirect, true, 'the routers redirect now');
    await request(h.app).patch('/apps/happ-a/features/https-redirect').set(as(alice)).send({ enabled: false }).expect(200);
    assert.notEqual((await h.routes.get('happ-a'))?.httpsRedirect, true);
    await request(h.app).patch('/apps/happ-a/features/https-redirect').set(as(alice)).send({ enabled: 'yes' }).expect(422);
    await request(h.app).patch('/apps/happ-a/features/warp-drive').set(as(alice)).send({ enabled: true }).expect(404);
    await request(h.app).patch('/apps/happ-a/features/https-redirect').set(as(bob)).send({ enabled: true }).expect(404);
    await request(h.app).get('/apps/happ-a/features').set(as(bob)).expect(404);
    assert.deepEqual((await request(h.app).get('/account/features').set(as(alice)).expect(200)).body, []);
    await request(h.app).get('/account/features/anything').set(as(alice)).expect(404);
  });

  test('oauth authorizations: create, list, info, revoke; a revoked token stops working; not another user\'s', async () => {
    const created = await request(h.app).post('/oauth/authorizations').set(as(alice)).set(heroku).send({ description: 'ci', scope: ['global'] }).expect(201);
    const token = created.body.access_token.token as string;
    assert.equal((await request(h.app).get('/account').set('Authorization', `Bearer ${token}`).expect(200)).body.email, 'alice@example.com');
    const list = (await request(h.app).get('/oauth/authorizations').set(as(alice)).expect(200)).body as { id: string; access_token: { token?: string } }[];
    assert.ok(list.some((a) => a.id === created.body.id));
    assert.ok(list.every((a) => a.access_token.token === undefined), 'the token is shown once');
    await request(h.app).get(`/oauth/authorizations/${created.body.id}`).set(as(alice)).expect(200);
    await request(h.app).get(`/oauth/authorizations/${created.body.id}`).set(as(bob)).expect(404);
    await request(h.app).delete(`/oauth/authorizations/${created.body.id}`).set(as(bob)).expect(404);
    await request(h.app).delete('/oauth/authorizations/not-an-id').set(as(alice)).expect(404);
    await request(h.app).delete(`/oauth/authorizations/${created.body.id}`).set(as(alice)).expect(200);
    await request(h.app).get('/account').set('Authorization', `Bearer ${token}`).expect(401);
    await request(h.app).post('/oauth/authorizations').set(as(alice)).send({ scope: ['read'] }).expect(422);
    await request(h.app).post('/oauth/authorizations').set(as(alice)).send({ expires_in: 3600 }).expect(422);
    await request(h.app).post('/oauth/authorizations').set(as(alice)).send({ description: 'a\u0000b' }).expect(422);
  });

  test('sni-endpoints answer what /certs does, in Heroku’s shape; another tenant sees nothing', async () => {
    assert.deepEqual((await request(h.app).get('/apps/happ-a/sni-endpoints').set(as(alice)).expect(200)).body, []);
    assert.deepEqual((await request(h.app).get('/apps/happ-a/certs').set(as(alice)).expect(200)).body, []);
    await request(h.app).get('/apps/happ-a/sni-endpoints').set(as(bob)).expect(404);
    await request(h.app).post('/apps/happ-a/sni-endpoints').set(as(alice)).send({ certificate_chain: 'nope', private_key: 'nope' }).expect(422);
    await request(h.app).delete('/apps/happ-a/sni-endpoints/none').set(as(alice)).expect(404);
    const cert = await makeTestCert(['a.example.com']);
    const added = await request(h.app).post('/apps/happ-a/sni-endpoints').set(as(alice)).set(heroku).send({ certificate_chain: cert.cert, private_key: cert.key }).expect(201);
    assert.deepEqual(added.body.domains, ['a.example.com']);
    assert.deepEqual(added.body.ssl_cert.cert_domains, ['a.example.com']);
    assert.equal(added.body.app.name, 'happ-a');
    assert.deepEqual(missingHerokuFields('sniEndpoint', added.body), []);
    assert.ok(!JSON.stringify(added.body).includes('PRIVATE KEY'), 'never the key');
    assert.deepEqual((await request(h.app).get('/apps/happ-a/certs').set(as(alice)).expect(200)).body.map((c: { id: string }) => c.id), [added.body.id]);
    await request(h.app).get(`/apps/happ-a/sni-endpoints/${added.body.name}`).set(as(alice)).expect(200);
    await request(h.app).delete(`/apps/happ-a/sni-endpoints/${added.body.id}`).set(as(bob)).expect(404);
    await request(h.app).delete(`/apps/happ-a/sni-endpoints/${added.body.name}`).set(as(alice)).expect(200);
    assert.deepEqual((await request(h.app).get('/apps/happ-a/sni-endpoints').set(as(alice)).expect(200)).body, []);
  });

  test("add-ons in Heroku's shape: heroku-postgresql is paas's postgres; the services listed", async () => {
    const services = (await request(h.app).get('/addon-services').set(as(alice)).expect(200)).body as { name: string }[];
    assert.deepEqual(services.map((s) => s.name), ['heroku-postgresql', 'heroku-redis']);
    await request(h.app).get('/addon-services/heroku-redis').set(as(alice)).expect(200);
    await request(h.app).get('/addon-services/mysql').set(as(alice)).expect(404);
    assert.deepEqual((await request(h.app).get('/apps/happ-c/addons').set(as(alice)).set(heroku).expect(200)).body, []);
    const created = await request(h.app).post('/apps/happ-c/addons').set(as(alice)).set(heroku).send({ plan: 'heroku-postgresql', attachment: { name: 'MAIN' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const listed = (await request(h.app).get('/apps/happ-c/addons').set(as(alice)).set(heroku).expect(200)).body as { addon_service: { name: string }; plan: { name: string }; app: { name: string }; config_vars: string[] }[];
    assert.equal(listed.length, 1);
    assert.equal(listed[0]!.addon_service.name, 'heroku-postgresql');
    assert.match(listed[0]!.plan.name, /^heroku-postgresql:/);
    assert.equal(listed[0]!.app.name, 'happ-c');
    assert.deepEqual(listed[0]!.config_vars, ['MAIN_URL']);
    const attachments = (await request(h.app).get('/addon-attachments').set(as(alice)).set(heroku).expect(200)).body as { name: string; app: { name: string }; addon: { name: string } }[];
    assert.deepEqual(attachments.map((t) => [t.name, t.app.name]), [['MAIN', 'happ-c']]);
    assert.deepEqual((await request(h.app).get('/apps/happ-c/addon-attachments').set(as(alice)).expect(200)).body, attachments);
    assert.deepEqual((await request(h.app).get('/addon-attachments').set(as(bob)).expect(200)).body, [], "another tenant's attachments are not listed");
    await request(h.app).get('/apps/happ-c/addon-attachments').set(as(bob)).expect(404);
    // paas's own CLI keeps paas's shape
    assert.equal((await request(h.app).get('/apps/happ-c/addons').set(as(alice)).expect(200)).body[0].service, 'postgres');
    await request(h.app).get('/apps/happ-c/addons').set(as(bob)).set(heroku).expect(404);
    await request(h.app).post('/apps/happ-c/addons').set(as(alice)).send({ plan: 'heroku-mysql' }).expect(422);
    await request(h.app).post('/apps/happ-c/addons').set(as(alice)).send({}).expect(422);
  });

  test('live answers carry the fields Heroku\'s tools read (@heroku-cli/schema names them)', async () => {
    const get = async (path: string) => (await request(h.app).get(path).set(as(alice)).set(heroku).expect(200)).body;
    const first = async (path: string) => ((await get(path)) as unknown[])[0];
    const created = (await request(h.app).post('/oauth/authorizations').set(as(alice)).send({ description: 'fields' }).expect(201)).body;
    const session = (await request(h.app).post('/apps/happ-a/log-sessions').set(as(alice)).send({}).expect(201)).body;
    const live: [keyof typeof herokuFieldsOf, unknown][] = [
      ['account', await get('/account')],
      ['app', await get('/apps/happ-a')],
      ['app', await first('/users/~/apps')],
      ['formation', await first('/apps/happ-a/formation')],
      ['release', await first('/apps/happ-a/releases')],
      ['dyno', await first('/apps/happ-a/dynos')],
      ['logSession', session],
      ['region', await first('/regions')],
      ['feature', await first('/apps/happ-a/features')],
      ['oauthAuthorization', created],
      ['oauthAuthorization', await get(`/oauth/authorizations/${created.id}`)],
      ['addonService', await first('/addon-services')],
      ['addon', await first('/apps/happ-c/addons')],
    ];
    for (const [resource, body] of live) {
      assert.ok(body, `${resource}: an answer to check`);
      assert.deepEqual(missingHerokuFields(resource, body), [], `${resource}: ${JSON.stringify(body).slice(0, 300)}`);
    }
  });
});

describe('the API rate limit', () => {
  let h: ApiHarness;
  after(async () => {
    await h?.close();
  });

  test('RateLimit-Remaining counts down per token; past it a 429 with Retry-After (Heroku: rate_limit)', async () => {
    h = await createApiHarness({ rateLimitPerHour: 3 });
    const carol = await h.user('carol@example.com');
    const dave = await h.user('dave@example.com');
    const remaining = [];
    for (let i = 0; i < 3; i++) remaining.push((await request(h.app).get('/account').set(as(carol)).expect(200)).headers['ratelimit-remaining']);
    assert.deepEqual(remaining, ['2', '1', '0']);
    const refused = await request(h.app).get('/account').set(as(carol)).set(heroku).expect(429);
    assert.equal(refused.body.id, 'rate_limit');
    assert.equal(refused.body.paas_id, 'rate_limited');
    assert.match(String(refused.headers['retry-after']), /^\d+$/);
    assert.equal(refused.headers['ratelimit-remaining'], '0');
    await request(h.app).get('/account').set(as(dave)).expect(200);
  });
});

// The web console's server side: its static files at /console (precompressed, cached, under a strict
// CSP, the app's paths answered with index.html), the account's language (PATCH /account), the
// user's own quota, the admin role, and a build's output as server-sent events while it runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import { BuildLogWriter, logEntryFields } from '@paas/shared';
import { insertBuild } from '../db/builds.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';
import { consoleCsp } from './console-static.js';

/** Reads a supertest response body as text whatever its type (SSE included). */
const text = (r: request.Test): request.Test => r.buffer(true).parse((res, cb) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (c: string) => (body += c));
  res.on('end', () => cb(null, body));
});

describe('web console: static files, account language, quota, roles, build stream', () => {
  let h: ApiHarness;
  let dir: string;
  let alice: Awaited<ReturnType<ApiHarness['user']>>;
  let bob: Awaited<ReturnType<ApiHarness['user']>>;
  let admin: Awaited<ReturnType<ApiHarness['user']>>;
  const html = '<!doctype html><title>console</title><script type="module" src="/console/assets/index-abc123.js"></script>';
  const js = 'console.log("the console");'.repeat(20);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paas-console-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), html);
    await writeFile(join(dir, 'index.html.gz'), gzipSync(html));
    await writeFile(join(dir, 'assets', 'index-abc123.js'), js);
    await writeFile(join(dir, 'assets', 'index-abc123.js.br'), brotliCompressSync(js));
    await writeFile(join(dir, 'assets', 'index-abc123.js.gz'), gzipSync(js));
    h = await createApiHarness({ consoleDir: dir });
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
    admin = await h.user('root@example.com', 'admin');
  });
  after(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('index.html at /console and every path under it: no-cache, strict CSP, gzip when accepted', async () => {
    for (const path of ['/console', '/console/', '/console/apps/shop/logs', '/console/admin/users']) {
      const res = await text(request(h.app).get(path).set('accept-encoding', 'identity')).expect(200);
      assert.equal(res.body, html, path);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.equal(res.headers['content-security-policy'], consoleCsp);
      assert.match(res.headers['content-type'] ?? '', /^text\/html/);
      assert.equal(res.headers['x-frame-options'], 'DENY');
    }
    assert.match(consoleCsp, /script-src 'self';/);
    assert.doesNotMatch(consoleCsp, /unsafe/);
    const gz = await request(h.app).get('/console/').set('accept-encoding', 'gzip, br').expect(200);
    assert.equal(gz.headers['content-encoding'], 'gzip', 'no .br of index.html: gzip');
    assert.equal(gz.headers['vary'], 'Accept-Encoding');
  });

  test('fingerprinted assets: brotli before gzip, cached for a year; unknown or odd names are 404s, not the page', async () => {
    const br = await request(h.app).get('/console/assets/index-abc123.js').set('accept-encoding', 'gzip, deflate, br').buffer(true).expect(200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(br.headers['content-type'] ?? '', /^text\/javascript/);
    const gz = await request(h.app).get('/console/assets/index-abc123.js').set('accept-encoding', 'gzip, br;q=0').expect(200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    const plain = await text(request(h.app).get('/console/assets/index-abc123.js').set('accept-encoding', 'identity')).expect(200);
    assert.equal(plain.body, js);
    for (const path of ['/console/assets/missing.js', '/console/assets/..%2f..%2fpackage.json', '/console/assets/a%00b.js', '/console/assets/sub/x.js']) {
      const res = await request(h.app).get(path);
      assert.ok(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
    }
    const head = await request(h.app).head('/console/').set('accept-encoding', 'identity').expect(200);
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(html)));
    // Not a console method: the API's own answer (authentication first).
    assert.equal((await request(h.app).post('/console/').send({})).status, 401);
  });

  test('a controller whose console is not built says so (503), and its API works', async () => {
    const bare = await createApiHarness({ consoleDir: join(dir, 'nothing-here') });
    try {
      const res = await request(bare.app).get('/console/');
      assert.equal(res.status, 503);
      assert.match(res.text, /npm run build/);
      assert.equal((await request(bare.app).get('/console/assets/x.js')).status, 404);
      assert.equal((await request(bare.app).get('/health')).status, 200);
    } finally {
      await bare.close();
    }
  });

  test("the console's language is kept per user on the server; nothing else is accepted", async () => {
    assert.equal((await request(h.app).get('/account').set(as(alice)).expect(200)).body.locale, 'en');
    const set = await request(h.app).patch('/account').set(as(alice)).send({ locale: 'zh-CN' }).expect(200);
    assert.equal(set.body.locale, 'zh-CN');
    assert.equal((await request(h.app).get('/account').set(as(alice)).expect(200)).body.locale, 'zh-CN');
    assert.equal((await request(h.app).get('/account').set(as(bob)).expect(200)).body.locale, 'en', "bob's is his own");
    for (const body of [{ locale: 'fr' }, {}, { locale: 'en', role: 'admin' }, { locale: ['en'] }, { locale: 'zh-CN'.repeat(1000) }]) {
      const res = await request(h.app).patch('/account').set(as(bob)).send(body);
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.equal(res.body.id, 'invalid_params');
    }
    const broken = await request(h.app).patch('/account').set(as(bob)).set('content-type', 'application/json').send('{"locale":');
    assert.ok(broken.status >= 400 && broken.status < 500 && broken.body.id, `${broken.status}`);
    assert.equal((await request(h.app).patch('/account').send({ locale: 'en' })).status, 401);
    assert.equal((await request(h.app).get('/account').set(as(bob))).body.role, 'user');
  });

  test("a user reads their own quota and usage (the scale control's limit), never another's", async () => {
    await deployedApp(h, 'cshop', alice.user.id, { web: 2 });
    await request(h.app).put(`/admin/users/${alice.user.email}/quota`).set(as(admin)).send({ processes: 3 }).expect(200);
    const q = await request(h.app).get('/account/quota').set(as(alice)).expect(200);
    assert.equal(q.body.limits.processes, 3);
    assert.equal(q.body.usage.processes, 2);
    assert.equal(q.body.user.email, 'alice@example.com');
    assert.equal((await request(h.app).get('/account/quota').set(as(bob)).expect(200)).body.usage.processes, 0);
    assert.equal((await request(h.app).get('/account/quota')).status, 401);
  });

  test('an admin makes a user an admin and back; a user may not; an admin cannot demote themself', async () => {
    const made = await request(h.app).put('/admin/users/bob@example.com/role').set(as(admin)).send({ role: 'admin' }).expect(200);
    assert.equal(made.body.role, 'admin');
    assert.equal((await request(h.app).get('/admin/users').set(as(bob))).status, 200, 'bob is an admin now');
    await request(h.app).put('/admin/users/bob@example.com/role').set(as(admin)).send({ role: 'user' }).expect(200);
    assert.equal((await request(h.app).get('/admin/users').set(as(bob))).status, 403);
    assert.equal((await request(h.app).put('/admin/users/bob@example.com/role').set(as(alice)).send({ role: 'admin' })).status, 403);
    assert.equal((await request(h.app).put('/admin/users/root@example.com/role').set(as(admin)).send({ role: 'user' })).status, 422);
    assert.equal((await request(h.app).put('/admin/users/bob@example.com/role').set(as(admin)).send({ role: 'root' })).status, 422);
    assert.equal((await request(h.app).put('/admin/users/nobody@example.com/role').set(as(admin)).send({ role: 'admin' })).status, 404);
    const audit = await request(h.app).get('/admin/audit?action=user.role').set(as(admin)).expect(200);
    assert.equal(audit.body.length, 2);
  });

  test("an app's last hour: requests, status classes and latency from the router's lines; another user gets a 404", async () => {
    await deployedApp(h, 'cmetrics', alice.user.id);
    const key = h.logs.store.key('cmetrics');
    const now = new Date().toISOString();
    for (const [status, service] of [[200, 10], [200, 30], [503, 900]] as const) {
      const line = `at=info method=GET path="/" host=cmetrics.localhost request_id=x fwd="127.0.0.1" dyno=web.1 connect=0ms service=${service}ms status=${status} bytes=5 protocol=http`;
      await h.redis.xadd(key, '*', ...logEntryFields({ ts: now, source: 'router', process: 'router', line }));
    }
    await h.redis.xadd(key, '*', ...logEntryFields({ ts: now, source: 'app', process: 'web.1', line: 'service=1ms status=200' }));
    const m = await request(h.app).get('/apps/cmetrics/metrics').set(as(alice)).expect(200);
    assert.equal(m.body.requests.length, 60);
    assert.equal(m.body.step_seconds, 60);
    const busy = m.body.requests.filter((p: { requests: number }) => p.requests > 0);
    assert.equal(busy.reduce((n: number, p: { requests: number }) => n + p.requests, 0), 3);
    assert.equal(busy.reduce((n: number, p: { status: Record<string, number> }) => n + p.status['5xx']!, 0), 1);
    assert.equal(m.body.partial, false);
    assert.deepEqual(m.body.memory, []);
    assert.equal((await request(h.app).get('/apps/cmetrics/metrics').set(as(bob))).status, 404);
    assert.equal((await request(h.app).get('/apps/cmetrics/metrics?x=1')).status, 401);
  });

  test("a build's output streams as server-sent events while it runs, then its end; another user gets a 404", async () => {
    const { app, buildId: done } = await deployedApp(h, 'cstream', alice.user.id);
    const finished = await text(request(h.app).get(`/apps/cstream/builds/${done}/output-stream`).set(as(alice))).expect(200);
    assert.match(finished.headers['content-type'] ?? '', /^text\/event-stream/);
    assert.equal(finished.body, 'data: -----> done\n\nevent: end\ndata: succeeded\n\n');

    const running = await insertBuild(h.db.pool, app.id, alice.user.id, 'b'.repeat(40));
    const writer = new BuildLogWriter(h.redis, h.keys.buildLog(running.id));
    await writer.lines('-----> Building on the paas stack\nline two\r\n');
    const answer = text(request(h.app).get(`/apps/cstream/builds/${running.id}/output-stream`).set(as(alice)));
    // Written after the reader joined: the same stream carries it, then the end.
    setTimeout(() => {
      void writer.line('-----> Launching').then(() => writer.succeeded({ image: 'img:2', processTypes: {}, buildpack: 'nodejs' } as never));
    }, 200);
    const res = await answer.expect(200);
    assert.equal(
      res.body,
      'data: -----> Building on the paas stack\n\ndata: line two\n\ndata: -----> Launching\n\nevent: end\ndata: succeeded\n\n',
    );

    assert.equal((await request(h.app).get(`/apps/cstream/builds/${running.id}/output-stream`).set(as(bob))).status, 404);
    assert.equal((await request(h.app).get(`/apps/cstream/builds/${running.id}/output-stream`)).status, 401);
    for (const id of ['not-a-uuid', '00000000-0000-0000-0000-000000000000', "x'%20OR%201=1"]) {
      const r = await request(h.app).get(`/apps/cstream/builds/${id}/output-stream`).set(as(alice));
      assert.equal(r.status, 404, id);
      assert.equal(r.body.id, 'build_not_found');
    }
  });
});

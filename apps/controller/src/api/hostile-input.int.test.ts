// Issue 23's findings at the API's edge, each a named regression: undecodable paths, NUL bytes and
// lone surrogates, bodies that are not JSON in UTF-8, broken and unknown encodings, prototype keys.
// Every one is a 4xx with a stable id (never a 500), and nothing reaches PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';
import { hasForbiddenCharacter } from './text-rules.js';

describe('hostile input at the API edge', () => {
  let h: ApiHarness;
  let alice: Awaited<ReturnType<ApiHarness['user']>>;
  let admin: Awaited<ReturnType<ApiHarness['user']>>;

  let server: http.Server;

  /** A raw POST: the bytes exactly as given (supertest re-encodes some bodies). */
  const rawPost = (path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: Record<string, unknown> }> =>
    new Promise((resolve, reject) => {
      const port = (server.address() as AddressInfo).port;
      const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });

  before(async () => {
    h = await createApiHarness();
    server = http.createServer(h.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    alice = await h.user('alice@example.com');
    admin = await h.user('root@example.com', 'admin');
    await deployedApp(h, 'shop', alice.user.id);
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  const count = async (table: string): Promise<number> => (await h.db.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;
  const rows = async () => ({ tokens: await count('api_tokens'), audit: await count('audit_events'), config: await count('config_vars') });
  const tokensOf = () => request(h.app).post('/account/authorizations').set(as(alice));

  test('an undecodable path (/apps/%ff) is 400 invalid_path, before authentication', async () => {
    for (const path of ['/apps/%ff', '/apps/%ff/config-vars', '/apps/shop/domains/%e0%a4', '/hosts/%ff', '/admin/users/%ff/quota', '/apps/%']) {
      for (const auth of [{}, as(admin)]) {
        const res = await request(h.app).get(path).set(auth);
        assert.equal(res.status, 400, `${path}: ${res.status} ${JSON.stringify(res.body)}`);
        assert.equal(res.body.id, 'invalid_path', path);
      }
    }
    const del = await request(h.app).delete('/apps/shop/collaborators/%ff').set(as(alice));
    assert.equal(del.status, 400);
  });

  test('a NUL in a path parameter (/apps/%00, /hosts/%00, /admin/users/%00/quota) is 400 invalid_path', async () => {
    const before = await rows();
    for (const [method, path] of [
      ['get', '/apps/%00'],
      ['get', '/apps/shop%00/config-vars'],
      ['get', '/hosts/%00'],
      ['get', '/admin/users/%00/quota'],
      ['put', '/admin/users/%00/quota'],
      ['delete', '/account/authorizations/%00'],
      ['delete', '/apps/shop/domains/%00'],
      ['get', '/apps/shop/releases/%1b'],
    ] as const) {
      const res = await request(h.app)[method](path).set(as(admin));
      assert.equal(res.status, 400, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.id, 'invalid_path');
    }
    assert.deepEqual(await rows(), before);
  });

  test('a NUL in a query (audit filters, a cursor decoding to NUL) is 422, never a 500', async () => {
    for (const path of ['/admin/audit?user=%00', '/admin/audit?action=a%00b', '/admin/audit?app=%00', '/apps?cursor=AA', '/admin/audit?cursor=AA', '/apps?cursor=YQBi']) {
      const res = await request(h.app).get(path).set(as(admin));
      assert.equal(res.status, 422, `${path}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.match(res.body.id, /^(invalid_characters|invalid_params)$/, path);
    }
    const nul = await request(h.app).get('/admin/audit?user=%00').set(as(admin));
    assert.equal(nul.body.id, 'invalid_characters');
  });

  test('a NUL or a lone surrogate anywhere in a JSON body is 422 invalid_characters, and nothing is stored', async () => {
    const before = await rows();
    const cases: [string, 'post' | 'patch' | 'put', string][] = [
      ['/account/authorizations', 'post', '{"description": "ci\\u0000"}'],
      ['/account/authorizations', 'post', '{"description": "\\ud800"}'],
      ['/account/authorizations', 'post', '{"description": "\\udc00x"}'],
      ['/apps/shop/config-vars', 'patch', '{"A": "x\\u0000y"}'],
      ['/apps/shop/config-vars', 'patch', '{"A\\u0000": "x"}'],
      ['/apps/shop/formation', 'patch', '{"updates": [{"type": "web", "quantity": 1, "deep": [{"x": "\\ud83d"}]}]}'],
      ['/apps/shop/domains', 'post', '{"hostname": "www.example.com\\u0000"}'],
      ['/auth/login', 'post', '{"email": "alice@example.com\\u0000", "password": "secret-pw"}'],
      ['/admin/users/alice@example.com/quota', 'put', '{"apps": 3, "note": "\\u0000"}'],
    ];
    for (const [path, method, body] of cases) {
      const res = await request(h.app)[method](path).set(as(admin)).set('content-type', 'application/json').send(body);
      assert.equal(res.status, 422, `${method} ${path} ${body}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.id, 'invalid_characters', `${path} ${body}`);
      assert.ok(!hasForbiddenCharacter(JSON.stringify(res.body)), 'the answer is well-formed');
    }
    assert.deepEqual(await rows(), before, 'no token, no config var and no audit event was written');
  });

  test('a token description "\\ud800" no longer gives a working token whose audit event is lost', async () => {
    const before = await rows();
    const res = await tokensOf().send({ description: '\ud800' });
    assert.equal(res.status, 422);
    assert.equal(res.body.id, 'invalid_characters');
    assert.equal(res.body.field, 'description');
    assert.deepEqual(await rows(), before);
  });

  test('a body that is not application/json in UTF-8 is 415 (a text/plain POST no longer mints a token)', async () => {
    const before = await rows();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/jsonx', 'multipart/form-data; boundary=x']) {
      const res = await tokensOf().set('content-type', type).send('{"description": "ci"}');
      assert.equal(res.status, 415, `${type}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.id, 'unsupported_media_type');
    }
    const none = await request(h.app).post('/account/authorizations').set(as(alice)).set('content-length', '2').unset('content-type').send(Buffer.from('{}'));
    assert.equal(none.status, 415, 'a body without a Content-Type');
    assert.deepEqual(await rows(), before);
    const ok = await tokensOf().set('content-type', 'application/json; charset=UTF-8').send('{"description": "ci"}');
    assert.equal(ok.status, 201);
    const bodiless = await request(h.app).post('/account/authorizations').set(as(alice));
    assert.equal(bodiless.status, 201, 'no body at all: the schema defaults apply');
  });

  test('broken gzip, deflate and br bodies are 400 invalid_body; an unknown Content-Encoding is 415', async () => {
    const before = await rows();
    const json = Buffer.from('{"description": "zipped"}');
    for (const [encoding, body] of [
      ['gzip', Buffer.from('not gzip at all')],
      ['gzip', gzipSync(json).subarray(0, 12)],
      ['deflate', Buffer.from([0x78, 0x9c, 0xff, 0xff, 0x00])],
      ['br', Buffer.from('\xff\xff\xff\xff not brotli')],
    ] as const) {
      const res = await rawPost('/account/authorizations', { ...as(alice), 'content-type': 'application/json', 'content-encoding': encoding }, body);
      assert.equal(res.status, 400, `${encoding}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.id, 'invalid_body');
    }
    for (const encoding of ['compress', 'x-unknown', 'gzip, zstd']) {
      const res = await rawPost('/account/authorizations', { ...as(alice), 'content-type': 'application/json', 'content-encoding': encoding }, json);
      assert.equal(res.status, 415, `${encoding}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.id, 'unsupported_media_type');
    }
    assert.deepEqual(await rows(), before);
    for (const [encoding, body] of [['gzip', gzipSync(json)], ['deflate', deflateSync(json)], ['br', brotliCompressSync(json)]] as const) {
      const res = await rawPost('/account/authorizations', { ...as(alice), 'content-type': 'application/json', 'content-encoding': encoding }, body);
      assert.equal(res.status, 201, `a good ${encoding} body is read`);
      assert.equal(res.body.description, 'zipped');
    }
  });

  test('a gzip bomb stops at the body limit: 413 payload_too_large', async () => {
    const bomb = gzipSync(Buffer.from(`{"description": "${'a'.repeat(5_000_000)}"}`));
    const res = await rawPost('/account/authorizations', { ...as(alice), 'content-type': 'application/json', 'content-encoding': 'gzip' }, bomb);
    assert.equal(res.status, 413);
    assert.equal(res.body.id, 'payload_too_large');
  });

  test('__proto__, constructor and prototype keys anywhere in a body are 422 reserved_key, never dropped', async () => {
    const before = await rows();
    const cases: [string, 'post' | 'patch', string][] = [
      ['/apps/shop/config-vars', 'patch', '{"GOOD": "1", "__proto__": {"x": "1"}}'],
      ['/apps/shop/config-vars', 'patch', '{"GOOD": "1", "constructor": "x"}'],
      ['/apps/shop/formation', 'patch', '{"updates": [{"type": "web", "quantity": 1, "__proto__": {"quantity": 5}}]}'],
      ['/account/authorizations', 'post', '{"description": "ci", "extra": {"prototype": 1}}'],
    ];
    for (const [path, method, body] of cases) {
      const res = await request(h.app)[method](path).set(as(alice)).set('content-type', 'application/json').send(body);
      assert.equal(res.status, 422, `${path} ${body}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.id, 'reserved_key');
      assert.match(res.body.message, /__proto__|constructor|prototype/);
    }
    assert.deepEqual(await rows(), before, 'the other keys were not applied either');
  });

  test('bodies nested deeper than 64 are 400 nesting_too_deep before they are parsed, before authentication', async () => {
    const before = await rows();
    const nested = (n: number, inner: string): string => `${'['.repeat(n)}${inner}${']'.repeat(n)}`;
    for (const depth of [65, 50_000, 200_000]) {
      const res = await request(h.app).patch('/apps/shop/config-vars').set(as(alice)).set('content-type', 'application/json').send(`{"A": ${nested(depth - 1, '"\\u0000"')}}`);
      assert.equal(res.status, 400, `depth ${depth}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.id, 'nesting_too_deep');
      assert.equal(res.body.max, 64);
    }
    const anonymous = await request(h.app).post('/auth/login').set('content-type', 'application/json').send(nested(100, '1'));
    assert.equal(anonymous.status, 400);
    assert.equal(anonymous.body.id, 'nesting_too_deep');
    // 64 levels are read (and then held to the route's schema); brackets inside strings are not levels.
    const atLimit = await request(h.app).patch('/apps/shop/config-vars').set(as(alice)).set('content-type', 'application/json').send(`{"A": ${nested(63, '"\\u0000"')}}`);
    assert.equal(atLimit.status, 422);
    assert.equal(atLimit.body.id, 'invalid_characters');
    assert.deepEqual(await rows(), before);
    const inString = await request(h.app).patch('/apps/shop/config-vars').set(as(alice)).set('content-type', 'application/json').send(JSON.stringify({ BRACKETS: '['.repeat(1000) }));
    assert.equal(inString.status, 200, JSON.stringify(inString.body));
    await request(h.app).patch('/apps/shop/config-vars').set(as(alice)).set('content-type', 'application/json').send({ BRACKETS: null }).expect(200);
  });
});

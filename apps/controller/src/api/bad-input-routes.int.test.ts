// The "Bad input" list, held to EVERY route of the route table (new ones included): malformed
// JSON, a body of the wrong shape, and path-traversal or SQL-looking app names are refused with a 4xx
// and a message, and nothing is stored in any table.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp, routeTableOf } from './test-fixtures.js';

describe('bad input, route by route', () => {
  let h: ApiHarness;
  let admin: Awaited<ReturnType<ApiHarness['user']>>;

  before(async () => {
    h = await createApiHarness();
    admin = await h.user('root@example.com', 'admin');
    await deployedApp(h, 'shop', admin.user.id);
  });
  after(async () => h.close());

  /** Rows in every table of the schema (the audit log and login attempts included). */
  const snapshot = async (): Promise<Record<string, number>> => {
    const tables = await h.db.pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
    );
    const out: Record<string, number> = {};
    for (const { table_name: t } of tables.rows) out[t] = (await h.db.pool.query(`SELECT count(*)::int AS n FROM "${t}"`)).rows[0].n as number;
    return out;
  };

  /** A concrete path for a route: the deployed app, and harmless values for the other parameters. */
  const fill = (path: string, app = 'shop'): string =>
    path.replace(/:(\w+)/g, (_m, name: string) => (name === 'app' ? encodeURIComponent(app) : name === 'dyno' ? 'web.1' : name === 'release' ? 'v1' : 'x'));

  const routes = () => routeTableOf(h.app).specs.filter((s) => s.action !== 'hook' && !s.raw);

  test('malformed JSON and bodies of the wrong shape are 4xx with a message, on every route that takes a body', async () => {
    const before = await snapshot();
    const withBody = routes().filter((s) => s.body !== undefined && s.method !== 'get');
    assert.ok(withBody.length > 10, 'the route table has routes with bodies');
    for (const spec of withBody) {
      const name = `${spec.method.toUpperCase()} ${spec.path}`;
      for (const [what, payload] of [
        ['malformed JSON', '{"a": '],
        ['a list', '[1, 2]'],
        ['a string', '"x\'; DROP TABLE apps; --"'],
      ] as const) {
        const res = await request(h.app)[spec.method](fill(spec.path)).set(as(admin)).set('content-type', 'application/json').send(payload);
        assert.ok(res.status >= 400 && res.status < 500, `${name} with ${what}: ${res.status} ${JSON.stringify(res.body)}`);
        assert.equal(typeof res.body.message, 'string', `${name} with ${what}: a message`);
        assert.ok(res.body.message.length > 0);
      }
    }
    assert.deepEqual(await snapshot(), before, 'nothing was stored');
  });

  test('path-traversal and SQL-looking app names are 404 or 422 on every app route, and touch nothing', async () => {
    const before = await snapshot();
    const appRoutes = routes().filter((s) => s.path.includes(':app'));
    for (const spec of appRoutes) {
      for (const bad of ['../etc', '..', "x'; DROP TABLE apps; --", 'shop/../../etc', '%2e%2e']) {
        let req = request(h.app)[spec.method](fill(spec.path, bad)).set(as(admin));
        if (spec.method !== 'get' && spec.method !== 'delete') req = req.send((spec.example ?? {}) as object);
        const res = await req;
        assert.ok(res.status === 404 || res.status === 422, `${spec.method.toUpperCase()} ${spec.path} as ${bad}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    assert.deepEqual(await snapshot(), before, 'nothing was stored');
  });

  test('issue 23 on every route: undecodable or NUL path parameters, NUL and lone surrogates in bodies, bodies that are not JSON and broken encodings are 4xx with a stable id, never 500', async () => {
    const before = await snapshot();
    const all = routes();
    const paramRoutes = all.filter((s) => s.path.includes(':'));
    assert.ok(paramRoutes.length > 20);
    for (const spec of paramRoutes) {
      for (const bad of ['%ff', '%00', 'a%00b', '%e0%a4', '%1b[2J']) {
        const path = spec.path.replace(/:(\w+)/g, () => bad);
        const res = await request(h.app)[spec.method](path).set(as(admin));
        const name = `${spec.method.toUpperCase()} ${path}`;
        assert.equal(res.status, 400, `${name}: ${res.status} ${JSON.stringify(res.body)}`);
        assert.equal(res.body.id, 'invalid_path', name);
      }
    }
    const withBody = all.filter((s) => s.body !== undefined && s.method !== 'get');
    for (const spec of withBody) {
      const path = fill(spec.path);
      const name = `${spec.method.toUpperCase()} ${spec.path}`;
      const example = JSON.stringify(spec.example ?? {});
      for (const [what, type, encoding, body, status, id] of [
        ['text/plain', 'text/plain', undefined, example, 415, 'unsupported_media_type'],
        ['latin1', 'application/json; charset=iso-8859-1', undefined, example, 415, 'unsupported_media_type'],
        ['broken gzip', 'application/json', 'gzip', 'not gzip', 400, 'invalid_body'],
        ['unknown encoding', 'application/json', 'zstd', example, 415, 'unsupported_media_type'],
        ['a NUL', 'application/json', undefined, '{"x": "\\u0000"}', 422, 'invalid_characters'],
        ['a lone surrogate', 'application/json', undefined, '{"x": ["\\ud800"]}', 422, 'invalid_characters'],
        ['__proto__', 'application/json', undefined, '{"__proto__": {"admin": true}}', 422, 'reserved_key'],
      ] as const) {
        let req = request(h.app)[spec.method](path).set(as(admin)).set('content-type', type);
        if (encoding) req = req.set('content-encoding', encoding);
        const res = await req.send(body);
        assert.equal(res.status, status, `${name} with ${what}: ${res.status} ${JSON.stringify(res.body)}`);
        assert.equal(res.body.id, id, `${name} with ${what}`);
      }
    }
    assert.deepEqual(await snapshot(), before, 'nothing was stored');
  });
});

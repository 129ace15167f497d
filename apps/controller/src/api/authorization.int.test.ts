// Route-by-route authorization: every route the controller serves, for every kind of caller, against
// the one policy (auth/policy.ts). A route with no policy entry fails here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { decide, plainRoutes, subjectOf, type Action, type Subject } from '../auth/policy.js';
import { createUser, type User } from '../db/users.js';
import { hashPassword } from '../auth/passwords.js';
import type { RouteSpec } from './route-table.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp, routeTableOf, servedRoutes } from './test-fixtures.js';

type Caller = { token: string; user: { id: string; email: string; role: 'admin' | 'user' } } | undefined;

describe('authorization, route by route', () => {
  let h: ApiHarness;
  const callers: Record<string, Caller> = {};
  let n = 0;

  before(async () => {
    // Add-ons on: their routes are held to the policy too (what they make, close() drops).
    h = await createApiHarness({ addons: {}, acmeDirectoryUrl: 'https://127.0.0.1:1/directory' });
    callers['anonymous'] = undefined;
    callers['owner'] = await h.user('owner@example.com');
    callers['collaborator'] = await h.user('collab@example.com');
    callers['stranger'] = await h.user('stranger@example.com');
    callers['admin'] = await h.user('admin@example.com', 'admin');
    // Users the routes' examples name.
    await createUser(h.db.pool, 'bob@example.com', await hashPassword('x'), 'user');
    await createUser(h.db.pool, 'dev@example.com', await hashPassword('correct horse battery staple'), 'user');
  });
  after(async () => h.close());

  const routeKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

  test('every route the controller serves is declared with a policy action', () => {
    const table = routeTableOf(h.app);
    const declared = new Set(table.specs.map((s) => routeKey(s.method, s.path)));
    const missing = servedRoutes(h.app)
      .map((r) => routeKey(r.method, r.path))
      .filter((k) => !declared.has(k) && plainRoutes[k] === undefined);
    assert.deepEqual(missing, [], 'declare these in the route table (api/route-table.ts) or in plainRoutes (auth/policy.ts)');
    for (const key of Object.keys(plainRoutes)) {
      assert.ok(servedRoutes(h.app).some((r) => routeKey(r.method, r.path) === key), `plainRoutes lists ${key}, which is not served`);
    }
  });

  /** What the caller should get: allowed, or the status of the refusal. */
  function expected(callerName: string, action: Action): 'allow' | 401 | 403 | 404 {
    const caller = callers[callerName];
    const relation = callerName === 'owner' ? 'owner' : callerName === 'collaborator' ? 'collaborator' : 'none';
    const subject: Subject = action.startsWith('app:') ? subjectOf(caller?.user, relation) : subjectOf(caller?.user);
    const d = decide(subject, action);
    return d === 'allow' ? 'allow' : d === 'unauthenticated' ? 401 : d === 'hidden' ? 404 : 403;
  }

  async function call(route: { method: string; path: string; spec?: RouteSpec }, callerName: string) {
    const caller = callers[callerName];
    const owner = callers['owner']!;
    const needsApp = route.path.includes(':app');
    const fixture = needsApp
      ? await deployedApp(h, `authz-${++n}`, owner.user.id, { collaborators: [callers['collaborator']!.user.id] })
      : undefined;
    const params: Record<string, () => Promise<string>> = {
      app: async () => fixture!.app.name,
      build: async () => fixture?.buildId ?? '00000000-0000-4000-8000-000000000000',
      collaborator: async () => 'collab@example.com',
      authorization: async () =>
        caller ? (await h.tokens.issueApiToken(caller.user.id, 'to revoke')).authorization.id : '00000000-0000-4000-8000-000000000000',
      user: async () => (await createUser(h.db.pool, `victim-${++n}@example.com`, 'x', 'user')).email,
      name: async () => 'no-such-host',
      dyno: async () => 'web.1',
      release: async () => 'v1',
      drain: async () => 'no-such-drain',
      volume: async () => 'no-such-volume',
      addon: async () => 'no-such-addon',
      backup: async () => 'b001',
      server: async () => 'no-such-server',
      stack: async () => 'bookworm',
      webhook: async () => '00000000-0000-4000-8000-000000000000',
      upload: async () => '00000000-0000-4000-8000-000000000000',
      delivery: async () => '00000000-0000-4000-8000-000000000000',
      event: async () => '00000000-0000-4000-8000-000000000000',
      advisory: async () => 'GHSA-none-0000-0000',
      source: async () => (await deployedApp(h, `authz-src-${++n}`, owner.user.id)).app.name,
      region: async () => 'test-region',
      feature: async () => 'https-redirect',
      endpoint: async () => 'no-such-endpoint',
      service: async () => 'heroku-postgresql',
      token: async () => 'A'.repeat(43),
    };
    let path = route.path;
    for (const [, name] of route.path.matchAll(/:(\w+)/g)) {
      const resolve = params[name!];
      assert.ok(resolve, `the authorization test does not know how to fill :${name} in ${route.path}: add it`);
      path = path.replace(`:${name}`, encodeURIComponent(await resolve()));
    }
    let req = request(h.app)[route.method.toLowerCase() as 'get'](path);
    // Logging out revokes the session it is called with: give it a session of its own.
    const revokesItsToken = route.method === 'DELETE' && route.path === '/auth/session';
    if (caller) req = req.set(as(revokesItsToken ? { token: h.tokens.issueSession(caller.user as User) } : caller));
    if (route.method !== 'GET' && route.method !== 'DELETE') req = req.send((route.spec?.example ?? {}) as object);
    return req;
  }

  test('each route answers each caller as the policy says', async (t) => {
    const table = routeTableOf(h.app);
    const routes = [
      ...table.specs.map((spec) => ({ method: spec.method.toUpperCase(), path: spec.path, action: spec.action, spec })),
      ...Object.entries(plainRoutes).map(([key, action]) => {
        const [method, path] = key.split(' ') as [string, string];
        return { method, path, action, spec: undefined };
      }),
    ];
    for (const route of routes) {
      await t.test(`${route.method} ${route.path} (${route.action})`, async () => {
        for (const callerName of ['anonymous', 'stranger', 'collaborator', 'owner', 'admin']) {
          const want = expected(callerName, route.action);
          const res = await call(route, callerName);
          const what = `${callerName}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
          if (want === 'allow') {
            assert.ok(res.status !== 401, what);
            assert.ok(!(res.status === 403 && res.body.id === 'forbidden'), what);
            assert.ok(res.body.id !== 'app_not_found', what);
            assert.ok(!/^no such route/.test(res.body.message ?? ''), what);
            assert.ok(res.status < 500, what);
            if (res.status < 300 && route.spec?.response && !route.spec.raw) {
              const parsed = route.spec.response.safeParse(res.body);
              assert.ok(parsed.success, `${what}: the response does not match its documented schema: ${parsed.success ? '' : parsed.error.message}`);
            }
          } else {
            assert.equal(res.status, want, what);
            if (want === 404) assert.equal(res.body.id, 'app_not_found', what);
            if (want === 403) assert.equal(res.body.id, 'forbidden', what);
          }
        }
      });
    }
  });
});

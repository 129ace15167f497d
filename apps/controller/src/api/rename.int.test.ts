// `paas rename` through the API (PATCH /apps/{app} {name}), against the real PostgreSQL and Redis with
// the in-memory runtime and route store: what moves, who may, what is refused, and a push racing it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import request from 'supertest';
import { insertBuild } from '../db/builds.js';
import { findAppByName } from '../db/apps.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';

describe('renaming an app', () => {
  let h: ApiHarness;
  let alice: Awaited<ReturnType<ApiHarness['user']>>;
  let bob: Awaited<ReturnType<ApiHarness['user']>>;
  let carol: Awaited<ReturnType<ApiHarness['user']>>;
  let admin: Awaited<ReturnType<ApiHarness['user']>>;

  before(async () => {
    h = await createApiHarness();
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
    carol = await h.user('carol@example.com');
    admin = await h.user('root@example.com', 'admin');
  });
  after(async () => h.close());

  const isDir = (path: string): Promise<boolean> => stat(path).then((s) => s.isDirectory(), () => false);

  test('moves the name, repo, route, processes, images, log stream and domains; audited', async () => {
    const { app } = await deployedApp(h, 'rn-old', alice.user.id);
    await h.repos.create('rn-old');
    h.runtime.addImage('rn-old', 'paas/rn-old:b-1');
    await h.db.pool.query("UPDATE releases SET image = 'paas/rn-old:b-1' WHERE app_id = $1", [app.id]);
    await request(h.app).post('/apps/rn-old/domains').set(as(alice)).send({ hostname: 'shop.example.com' }).expect(201);
    await h.logs.store.append('rn-old', [{ ts: new Date().toISOString(), source: 'app', process: 'web.1', line: 'before the rename' }]);
    assert.ok((await h.routes.get('rn-old'))?.backends.length);

    const res = await request(h.app).patch('/apps/rn-old').set(as(alice)).send({ name: 'rn-new' }).expect(200);
    assert.equal(res.body.name, 'rn-new');
    assert.equal(res.body.id, app.id);
    assert.match(res.body.web_url, /rn-new\.localhost/);

    await request(h.app).get('/apps/rn-old').set(as(alice)).expect(404);
    const info = await request(h.app).get('/apps/rn-new').set(as(alice)).expect(200);
    assert.equal(info.body.current_release, 1, 'its releases came with it');
    assert.equal(await h.routes.get('rn-old'), undefined, 'the old hostname no longer routes');
    const route = await h.routes.get('rn-new');
    assert.equal(route?.backends.length, 1, 'the new one routes to a process');
    assert.deepEqual(route?.domains.sort(), ['rn-new.localhost', 'shop.example.com'], 'custom domains stay attached');
    const ps = await request(h.app).get('/apps/rn-new/dynos').set(as(alice)).expect(200);
    assert.deepEqual(ps.body.map((d: { name: string }) => d.name).sort(), ['web.1']);
    assert.deepEqual(await h.runtime.list({ app: 'rn-old' }), [], 'nothing runs under the old name');
    assert.ok(h.runtime.holdsImage('paas/rn-new:b-1'), 'the image is there under the new name');
    assert.ok(!h.runtime.holdsImage('paas/rn-old:b-1'), 'and not under the old one');
    const release = await h.db.pool.query('SELECT image FROM releases WHERE app_id = $1', [app.id]);
    assert.equal(release.rows[0].image, 'paas/rn-new:b-1');
    assert.ok(await isDir(h.repos.path('rn-new')));
    assert.ok(!(await isDir(h.repos.path('rn-old'))));
    const logs = await request(h.app).get('/apps/rn-new/logs').set(as(alice)).expect(200);
    assert.match(logs.text, /before the rename/);
    assert.equal(await h.redis.exists(h.keys.appLogs('rn-old')), 0, 'a later app of the old name reads nothing of it');
    const audit = await request(h.app).get('/admin/audit?action=app.rename').set(as(admin)).expect(200);
    const event = (audit.body as { action: string; app: string; details: Record<string, unknown> }[]).find((e) => e.action === 'app.rename');
    assert.deepEqual(event && { app: event.app, details: event.details }, { app: 'rn-new', details: { from: 'rn-old', to: 'rn-new' } });

    // the old name is free again, as after a destroy
    await request(h.app).post('/apps').set(as(bob)).send({ name: 'rn-old' }).expect(201);
  });

  test('a taken name is 409 name_taken; an invalid one or an unknown field 422; nothing changes', async () => {
    await deployedApp(h, 'rn-a', alice.user.id);
    await deployedApp(h, 'rn-b', bob.user.id);
    const taken = await request(h.app).patch('/apps/rn-a').set(as(alice)).send({ name: 'rn-b' }).expect(409);
    assert.equal(taken.body.id, 'name_taken');
    for (const body of [{ name: 'Rn-Upper' }, { name: 'a' }, { name: 'x--y-z' }, { name: 7 }, { nom: 'rn-c' }, {}, { name: 'rn-c', stack: 'x' }]) {
      const res = await request(h.app).patch('/apps/rn-a').set(as(alice)).send(body);
      assert.equal(res.status, 422, `${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    assert.ok(await findAppByName(h.db.pool, 'rn-a'));
    assert.ok((await h.routes.get('rn-a'))?.backends.length);
  });

  test('only the owner or an admin: a collaborator 403, another user 404', async () => {
    await deployedApp(h, 'rn-team', alice.user.id, { collaborators: [carol.user.id] });
    const refused = await request(h.app).patch('/apps/rn-team').set(as(carol)).send({ name: 'rn-carol' }).expect(403);
    assert.equal(refused.body.id, 'forbidden');
    await request(h.app).patch('/apps/rn-team').set(as(carol)).send({ maintenance: true }).expect(200);
    await request(h.app).patch('/apps/rn-team').set(as(bob)).send({ name: 'rn-bob' }).expect(404);
    assert.ok(await findAppByName(h.db.pool, 'rn-team'));
    const byAdmin = await request(h.app).patch('/apps/rn-team').set(as(admin)).send({ name: 'rn-team2', maintenance: false }).expect(200);
    assert.deepEqual([byAdmin.body.name, byAdmin.body.maintenance], ['rn-team2', false]);
    // the collaborator still has it, under its new name
    await request(h.app).get('/apps/rn-team2').set(as(carol)).expect(200);
  });

  test('refused while it builds (409 app_busy, retryable); a push that raced the rename is refused', async () => {
    const { app } = await deployedApp(h, 'rn-busy', alice.user.id);
    const build = await insertBuild(h.db.pool, app.id, alice.user.id, 'b'.repeat(40));
    const busy = await request(h.app).patch('/apps/rn-busy').set(as(alice)).send({ name: 'rn-idle' }).expect(409);
    assert.equal(busy.body.id, 'app_busy');
    await h.db.pool.query("UPDATE builds SET status = 'failed' WHERE id = $1", [build.id]);
    await request(h.app).patch('/apps/rn-busy').set(as(alice)).send({ name: 'rn-idle' }).expect(200);
    // a push that read the app under its old name before the rename
    await assert.rejects(
      h.pushService.push({ app, user: alice.user, commit: 'c'.repeat(40), source: Readable.from([]), say: () => {} }),
      (err: Error & { code?: string }) => err.code === 'app_busy' && /renamed to rn-idle/.test(err.message),
    );
    const failed = await h.db.pool.query("SELECT count(*)::int AS n FROM builds WHERE app_id = $1 AND status IN ('pending', 'building')", [app.id]);
    assert.equal(failed.rows[0].n, 0, 'its build row is not left active');
  });
});

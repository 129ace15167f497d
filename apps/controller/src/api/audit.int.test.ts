// The audit log: who did what to which app or user, when, from where; config values never recorded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';

describe('audit log', () => {
  let h: ApiHarness;
  let alice: Awaited<ReturnType<ApiHarness['user']>>;
  let admin: Awaited<ReturnType<ApiHarness['user']>>;

  before(async () => {
    h = await createApiHarness();
    alice = await h.user('alice@example.com');
    admin = await h.user('root@example.com', 'admin');
  });
  after(async () => h.close());

  type Event = { actor: string | null; action: string; app: string | null; user: string | null; ip: string | null; details: Record<string, unknown> };
  const audit = async (query = ''): Promise<Event[]> => {
    const res = await request(h.app).get(`/admin/audit${query}`).set(as(admin));
    assert.equal(res.status, 200, res.body.message);
    return res.body as Event[];
  };

  test('records app, config, scale, access, token and admin actions, with actor and IP', async () => {
    await request(h.app).post('/auth/login').send({ email: 'alice@example.com', password: 'secret-pw' }).expect(200);
    await request(h.app).post('/apps').set(as(alice)).send({ name: 'audited' }).expect(201);
    await request(h.app).patch('/apps/audited/config-vars').set(as(alice)).send({ SECRET_KEY: 'hunter2-value', OLD: null }).expect(200);
    await h.user('bob@example.com');
    await request(h.app).post('/apps/audited/collaborators').set(as(alice)).send({ user: 'bob@example.com' }).expect(201);
    await request(h.app).delete('/apps/audited/collaborators/bob@example.com').set(as(alice)).expect(200);
    const token = await request(h.app).post('/account/authorizations').set(as(alice)).send({ description: 'ci' }).expect(201);
    await request(h.app).delete(`/account/authorizations/${token.body.id}`).set(as(alice)).expect(200);
    await request(h.app).post('/admin/users').set(as(admin)).send({ email: 'carol@example.com', password: 'long password' }).expect(201);
    await request(h.app).put('/admin/users/carol@example.com/quota').set(as(admin)).send({ apps: 1 }).expect(200);
    await request(h.app).post('/admin/users/carol@example.com/disable').set(as(admin)).expect(200);
    await deployedApp(h, 'scaled', alice.user.id);
    await request(h.app).patch('/apps/scaled/formation').set(as(alice)).send({ updates: [{ type: 'web', quantity: 2 }] }).expect(200);
    await request(h.app).delete('/apps/audited').set(as(alice)).expect(200);

    const events = (await audit()).reverse();
    assert.deepEqual(
      events.map((e) => [e.actor, e.action, e.app ?? e.user]),
      [
        ['alice@example.com', 'session.create', null],
        ['alice@example.com', 'app.create', 'audited'],
        ['alice@example.com', 'config.update', 'audited'],
        ['alice@example.com', 'collaborator.add', 'audited'],
        ['alice@example.com', 'collaborator.remove', 'audited'],
        ['alice@example.com', 'authorization.create', null],
        ['alice@example.com', 'authorization.revoke', null],
        ['root@example.com', 'user.create', 'carol@example.com'],
        ['root@example.com', 'quota.update', 'carol@example.com'],
        ['root@example.com', 'user.disable', 'carol@example.com'],
        ['alice@example.com', 'formation.update', 'scaled'],
        ['alice@example.com', 'app.destroy', 'audited'],
      ],
    );
    const config = events.find((e) => e.action === 'config.update')!;
    assert.deepEqual(config.details, { set: ['SECRET_KEY'], unset: ['OLD'] });
    const raw = await h.db.pool.query('SELECT details::text FROM audit_events');
    assert.ok(!raw.rows.some((r) => String(r.details).includes('hunter2-value')), 'config values never reach the log');
    assert.ok(events.every((e) => e.ip === '127.0.0.1' || e.ip === '::1'), JSON.stringify(events.map((e) => e.ip)));
  });

  test('filters by user, app and action, and pages with Next-Cursor', async () => {
    assert.ok((await audit('?user=carol@example.com')).every((e) => e.user === 'carol@example.com' || e.actor === 'carol@example.com'));
    assert.deepEqual((await audit('?app=audited')).map((e) => e.action).reverse(), [
      'app.create',
      'config.update',
      'collaborator.add',
      'collaborator.remove',
      'app.destroy',
    ]);
    assert.deepEqual((await audit('?action=user.')).map((e) => e.action), ['user.disable', 'user.create']);
    assert.deepEqual((await audit('?action=user')).length, 0, 'without a dot, the action must match exactly');

    const all = await audit();
    const seen: Event[] = [];
    let cursor: string | undefined;
    for (;;) {
      const res = await request(h.app).get(`/admin/audit?limit=5${cursor ? `&cursor=${cursor}` : ''}`).set(as(admin));
      seen.push(...res.body);
      cursor = res.headers['next-cursor'];
      if (!cursor) break;
      assert.equal(res.body.length, 5);
    }
    assert.deepEqual(seen, all);
  });

  test('deploys are recorded by the hook endpoint, refused ones too', async () => {
    await request(h.app).post('/apps').set(as(alice)).send({ name: 'pushed' }).expect(201);
    const commit = 'f'.repeat(40);
    h.pushes.add('pushed', commit, alice.user, '10.0.0.7');
    const res = await request(h.app).post(`/internal/git/pushed/receive?commit=${commit}`).set('x-paas-hook-token', 'hook-token').send('tar');
    assert.equal(res.status, 200);
    assert.match(res.text, /@@paas-exit 1/, 'not a tar, and no builder runs in this test: the push is refused');
    const [deploy] = await audit('?action=deploy');
    assert.equal(deploy!.actor, 'alice@example.com');
    assert.equal(deploy!.app, 'pushed');
    assert.equal(deploy!.ip, '10.0.0.7');
    assert.deepEqual([deploy!.details['commit'], deploy!.details['result']], [commit, 'refused']);
    assert.equal(typeof deploy!.details['error'], 'string', 'the refusal code is kept');
  });

  test('records buildpack changes (credentials in URLs refused, never recorded) and build cache purges', async () => {
    await request(h.app).post('/apps').set(as(alice)).send({ name: 'bp-audited' }).expect(201);
    const secretUrl = 'https://deploy:s3cret-token@git.example.com/org/bp.git#v2';
    const refused = await request(h.app).put('/apps/bp-audited/buildpack-installations').set(as(alice)).send({ updates: [{ buildpack: secretUrl }] }).expect(422);
    assert.match(refused.body.message, /credentials in a URL are not allowed/);
    assert.ok(!refused.body.message.includes('s3cret-token'));
    const url = 'https://git.example.com/org/bp.git#v2';
    await request(h.app).put('/apps/bp-audited/buildpack-installations').set(as(alice)).send({ updates: [{ buildpack: 'nodejs' }, { buildpack: url }] }).expect(200);
    await request(h.app).delete('/apps/bp-audited/build-cache').set(as(alice)).expect(202);
    const events = (await audit('?app=bp-audited')).reverse();
    assert.deepEqual(events.map((e) => [e.actor, e.action]), [
      ['alice@example.com', 'app.create'],
      ['alice@example.com', 'buildpacks.update'],
      ['alice@example.com', 'build_cache.purge'],
    ]);
    assert.deepEqual(events[1]!.details, { buildpacks: ['nodejs', url] });
    const raw = await h.db.pool.query('SELECT details::text FROM audit_events');
    assert.ok(!raw.rows.some((r) => String(r.details).includes('s3cret-token')));
  });
});

describe('pagination', () => {
  let h: ApiHarness;
  let alice: Awaited<ReturnType<ApiHarness['user']>>;
  before(async () => {
    h = await createApiHarness();
    alice = await h.user('alice@example.com');
  });
  after(async () => h.close());

  async function all(path: string, limit: number): Promise<{ pages: number; items: unknown[] }> {
    const items: unknown[] = [];
    let pages = 0;
    let cursor: string | undefined;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res = await request(h.app).get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`).set(as(alice));
      assert.equal(res.status, 200, res.body.message);
      items.push(...res.body);
      pages++;
      cursor = res.headers['next-cursor'];
    } while (cursor);
    return { pages, items };
  }

  test('apps, releases and builds page through everything, in order, without repeats', async () => {
    for (const n of ['p-c', 'p-a', 'p-e', 'p-b', 'p-d']) await request(h.app).post('/apps').set(as(alice)).send({ name: n }).expect(201);
    const apps = await all('/apps', 2);
    assert.equal(apps.pages, 3);
    assert.deepEqual((apps.items as { name: string }[]).map((a) => a.name), ['p-a', 'p-b', 'p-c', 'p-d', 'p-e']);
    assert.equal((await request(h.app).get('/apps').set(as(alice))).headers['next-cursor'], undefined);

    const { app } = await deployedApp(h, 'p-rel', alice.user.id);
    for (let i = 0; i < 4; i++) await h.releases.releaseConfigChange(app, `change ${i}`, alice.user.id);
    const releases = await all('/apps/p-rel/releases', 2);
    assert.deepEqual((releases.items as { version: number }[]).map((r) => r.version), [5, 4, 3, 2, 1]);

    for (let i = 0; i < 3; i++) {
      await h.db.pool.query("INSERT INTO builds (app_id, user_id, commit, status) VALUES ($1, $2, $3, 'failed')", [app.id, alice.user.id, String(i).repeat(40)]);
    }
    const builds = await all('/apps/p-rel/builds', 3);
    assert.equal(builds.items.length, 4);
    assert.equal(new Set((builds.items as { id: string }[]).map((b) => b.id)).size, 4);
  });
});

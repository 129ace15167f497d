// Add-ons end to end against the real (shared) PostgreSQL and Redis: every database, role and ACL
// user made here is destroyed by the test or by the harness's close().
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';
import { withPg, withRedis } from '../addons/test-clients.js';
import { testDatabaseAdminUrl, testRedisUrl } from '@paas/test-kit';

type Who = { token: string; user: { id: string } };

/** What the server says when `url`'s role cannot connect (or resolves when it can). */
async function connectError(url: string): Promise<string> {
  return withPg(url, async () => 'connected').catch((err: Error) => err.message);
}

describe('add-ons', () => {
  let h: ApiHarness;
  let alice: Who;
  let bob: Who;
  const config = async (who: Who, app: string): Promise<Record<string, string>> =>
    (await request(h.app).get(`/apps/${app}/config-vars`).set(as(who)).expect(200)).body;
  const releases = async (who: Who, app: string): Promise<{ version: number; description: string }[]> =>
    (await request(h.app).get(`/apps/${app}/releases`).set(as(who)).expect(200)).body;

  before(async () => {
    h = await createApiHarness({ addons: { limits: { count: 4, totalMb: 100_000 } } });
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
    await deployedApp(h, 'shop', alice.user.id);
    await deployedApp(h, 'shop-admin', alice.user.id);
    await deployedApp(h, 'blog', bob.user.id);
  });
  after(async () => {
    await h.close();
  });

  test('a postgres add-on: DATABASE_URL in a new release, readable and writable, private to its app, shared, backed up, destroyed', async () => {
    const created = await request(h.app).post('/apps/shop/addons').set(as(alice)).send({ service: 'postgres' }).expect(201);
    const name: string = created.body.name;
    assert.match(name, /^postgres-[0-9a-f]{16}$/);
    assert.deepEqual(created.body.attachments, [{ app: 'shop', config_var: 'DATABASE_URL' }]);
    const url = (await config(alice, 'shop'))['DATABASE_URL']!;
    assert.match(url, /^postgres:\/\/addon_[0-9a-f]{16}:[^@]+@/);
    assert.match((await releases(alice, 'shop'))[0]!.description, new RegExp(`Attach ${name} as DATABASE`));

    await withPg(url, async (c) => {
      await c.query('CREATE TABLE items (id serial PRIMARY KEY, label text)');
      await c.query("INSERT INTO items (label) VALUES ('widget')");
      assert.deepEqual((await c.query('SELECT label FROM items')).rows, [{ label: 'widget' }]);
    });

    // Bob's add-on: his role cannot connect to Alice's database, nor hers to his.
    await request(h.app).post('/apps/blog/addons').set(as(bob)).send({ service: 'postgres', plan: 'standard' }).expect(201);
    const bobUrl = (await config(bob, 'blog'))['DATABASE_URL']!;
    const intoAlices = new URL(bobUrl);
    intoAlices.pathname = new URL(url).pathname;
    assert.match(await connectError(intoAlices.toString()), /permission denied for database/);
    // A role with no grant at all (PUBLIC) cannot connect either.
    const outsider = `paas_outsider_${process.pid}`;
    await withPg(testDatabaseAdminUrl(), (c) => c.query(`CREATE ROLE ${outsider} LOGIN`));
    try {
      const asOutsider = new URL(url);
      asOutsider.username = outsider;
      assert.match(await connectError(asOutsider.toString()), /permission denied for database/);
    } finally {
      await withPg(testDatabaseAdminUrl(), (c) => c.query(`DROP ROLE ${outsider}`));
    }
    // Nor can Bob see, attach or destroy Alice's add-on.
    await request(h.app).get(`/apps/blog/addons/${name}`).set(as(bob)).expect(404);
    const steal = await request(h.app).post('/apps/blog/addon-attachments').set(as(bob)).send({ addon: name }).expect(404);
    assert.equal(steal.body.id, 'addon_not_found');
    await request(h.app).delete(`/apps/shop/addons/${name}`).set(as(bob)).expect(404);
    // Alice cannot share hers with an app of another owner.
    await request(h.app).post('/apps/blog/addon-attachments').set(as(alice)).send({ addon: name }).expect(404);

    // info: its size and connections.
    const info = await request(h.app).get(`/apps/shop/addons/${name}`).set(as(alice)).expect(200);
    assert.ok(info.body.usage.bytes > 0);
    assert.equal(info.body.usage.connection_limit, 10);

    // Shared with another app of Alice's under another name; taken names are refused.
    const dup = await request(h.app).post('/apps/shop/addons').set(as(alice)).send({ service: 'postgres' }).expect(409);
    assert.equal(dup.body.id, 'name_taken');
    await request(h.app).post('/apps/shop-admin/addon-attachments').set(as(alice)).send({ addon: name, as: 'shop_db' }).expect(201);
    assert.equal((await config(alice, 'shop-admin'))['SHOP_DB_URL'], url);

    // Rotation: a new password everywhere it is attached, each app with a new release.
    await request(h.app).post(`/apps/shop/addons/${name}/credentials/rotate`).set(as(alice)).expect(200);
    const rotated = (await config(alice, 'shop'))['DATABASE_URL']!;
    assert.notEqual(rotated, url);
    assert.equal((await config(alice, 'shop-admin'))['SHOP_DB_URL'], rotated);
    assert.match((await releases(alice, 'shop-admin'))[0]!.description, /Rotate/);

    // Backups: capture, break, restore, download.
    const backup = await request(h.app).post(`/apps/shop/addons/${name}/backups`).set(as(alice)).expect(201);
    assert.equal(backup.body.id, 'b001');
    await withPg(rotated, (c) => c.query('DROP TABLE items'));
    await request(h.app).post(`/apps/shop/addons/${name}/backups/b001/restore`).set(as(alice)).expect(200);
    await withPg(rotated, async (c) => assert.deepEqual((await c.query('SELECT label FROM items')).rows, [{ label: 'widget' }]));
    const dump = await request(h.app)
      .get(`/apps/shop/addons/${name}/backups/b001/download`)
      .set(as(alice))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    assert.equal((dump.body as Buffer).subarray(0, 5).toString(), 'PGDMP');
    await request(h.app).get(`/apps/shop/addons/${name}/backups/b999/download`).set(as(alice)).expect(404);
    await request(h.app).get(`/apps/blog/addons/${name}/backups`).set(as(bob)).expect(404);

    const shared = await request(h.app).get('/apps/shop-admin/addons').set(as(alice)).expect(200);
    assert.deepEqual(shared.body.map((a: { name: string; config_var: string; app: string }) => [a.name, a.config_var, a.app]), [[name, 'SHOP_DB_URL', 'shop']]);
    // Destroyed from a sharing app: refused (detach it there); from its own: gone everywhere.
    await request(h.app).delete(`/apps/shop-admin/addons/${name}`).set(as(alice)).expect(422);
    await request(h.app).delete(`/apps/shop/addon-attachments/${name}`).set(as(alice)).expect(422);
    await request(h.app).delete(`/apps/shop-admin/addon-attachments/${name}`).set(as(alice)).expect(200);
    assert.equal((await config(alice, 'shop-admin'))['SHOP_DB_URL'], undefined);
    await request(h.app).post('/apps/shop-admin/addon-attachments').set(as(alice)).send({ addon: name, as: 'shop_db' }).expect(201);
    await request(h.app).delete(`/apps/shop/addons/${name}`).set(as(alice)).expect(200);
    assert.equal((await config(alice, 'shop'))['DATABASE_URL'], undefined);
    assert.equal((await config(alice, 'shop-admin'))['SHOP_DB_URL'], undefined);
    const resource = new URL(url).username;
    await withPg(testDatabaseAdminUrl(), async (c) => {
      assert.equal((await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [resource])).rowCount, 0);
      assert.equal((await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [resource])).rowCount, 0);
    });
  });

  test('a redis add-on: REDIS_URL for a user confined to its key prefix and to safe commands', async () => {
    const mine = await request(h.app).post('/apps/shop/addons').set(as(alice)).send({ service: 'redis' }).expect(201);
    await request(h.app).post('/apps/blog/addons').set(as(bob)).send({ service: 'redis', as: 'cache' }).expect(201);
    const vars = await config(alice, 'shop');
    const url = vars['REDIS_URL']!;
    const prefix = vars['REDIS_KEY_PREFIX']!;
    assert.match(prefix, /^addon_[0-9a-f]{16}:$/);
    const bobs = await config(bob, 'blog');
    await withRedis(url, async (r) => {
      await r.set(`${prefix}greeting`, 'hello');
      assert.equal(await r.get(`${prefix}greeting`), 'hello');
      await assert.rejects(r.set('unprefixed', 'x'), /NOPERM/);
      await assert.rejects(r.get(`${bobs['CACHE_KEY_PREFIX']}anything`), /NOPERM/);
      for (const cmd of [['KEYS', '*'], ['SCAN', '0'], ['FLUSHALL'], ['CONFIG', 'GET', '*'], ['EVAL', 'return 1', '0'], ['SELECT', '1'], ['DBSIZE']]) {
        await assert.rejects(r.call(cmd[0]!, ...cmd.slice(1)), /NOPERM/, cmd.join(' '));
      }
    });
    // Bob's user cannot read Alice's keys.
    await withRedis(bobs['CACHE_URL']!, async (r) => {
      await assert.rejects(r.get(`${prefix}greeting`), /NOPERM/);
    });
    const info = await request(h.app).get(`/apps/shop/addons/${mine.body.name}`).set(as(alice)).expect(200);
    assert.equal(info.body.usage.extra.keys, 1);

    // Destroyed: the ACL user and its keys are gone.
    await request(h.app).delete(`/apps/shop/addons/${mine.body.name}`).set(as(alice)).expect(200);
    const user = decodeURIComponent(new URL(url).username);
    await withRedis(testRedisUrl(), async (r) => {
      assert.equal(await r.call('ACL', 'GETUSER', user), null);
      assert.equal(await r.exists(`${prefix}greeting`), 0);
    });
    assert.equal((await config(alice, 'shop'))['REDIS_URL'], undefined);
  });

  test('hostile and over-quota requests are refused with their codes', async () => {
    const bad = [
      [{ service: 'mysql' }, 'invalid_params'],
      [{ service: 'postgres', plan: 'gold' }, 'invalid_params'],
      [{ service: 'postgres', as: 'x"; DROP' }, 'invalid_params'],
      [{ service: 'postgres', as: 'PORT' }, 'invalid_params'],
      [{}, 'invalid_params'],
    ] as const;
    for (const [body, id] of bad) {
      const res = await request(h.app).post('/apps/shop/addons').set(as(alice)).send(body).expect(422);
      assert.equal(res.body.id, id, JSON.stringify(body));
    }
    await request(h.app).get('/apps/shop/addons/..%2f..').set(as(alice)).expect((res) => assert.ok(res.status === 404 || res.status === 400));
    // The quota (4 add-ons here) counts the owner's add-ons across apps.
    for (const n of [1, 2, 3, 4]) await request(h.app).post('/apps/shop-admin/addons').set(as(alice)).send({ service: 'redis', as: `r${n}` }).expect(201);
    const over = await request(h.app).post('/apps/shop-admin/addons').set(as(alice)).send({ service: 'redis', as: 'r5' }).expect(403);
    assert.equal(over.body.id, 'quota_exceeded');
    // Destroying the app drops its add-ons.
    const listed = await request(h.app).get('/apps/shop-admin/addons').set(as(alice)).expect(200);
    assert.equal(listed.body.length, 4);
    await request(h.app).delete('/apps/shop-admin').set(as(alice)).expect(200);
    await withRedis(testRedisUrl(), async (r) => {
      const users = (await r.call('ACL', 'USERS')) as string[];
      for (const a of listed.body as { name: string }[]) assert.ok(!users.includes(`addon_${a.name.slice('redis-'.length)}`));
    });
  });
});

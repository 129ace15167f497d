// Dedicated Redis add-ons (PAAS_ADDON_REDIS_MODE=container) on the real Docker engine: a
// redis-server container per add-on from paas/redis:bookworm, reached with its own password only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import request from 'supertest';
import { createApiHarness, type ApiHarness } from '../api/test-harness.js';
import { as, deployedApp } from '../api/test-fixtures.js';
import { withRedis } from './test-clients.js';

const docker = new Docker();

describe('dedicated Redis add-ons', { timeout: 180_000 }, () => {
  let h: ApiHarness;
  let alice: { token: string; user: { id: string } };
  let bob: { token: string; user: { id: string } };
  const cluster = `test-redis-${randomBytes(4).toString('hex')}`;

  before(async () => {
    h = await createApiHarness({ addons: { redisMode: 'container', containers: { docker, cluster, bindAddress: '127.0.0.1' } } });
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
    await deployedApp(h, 'shop', alice.user.id);
    await deployedApp(h, 'blog', bob.user.id);
  });
  after(async () => {
    await h.close();
    const left = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    const { Volumes } = await docker.listVolumes({ filters: { label: [`paas.cluster=${cluster}`] } });
    for (const v of Volumes ?? []) await docker.getVolume(v.Name).remove().catch(() => undefined);
  });

  test('one server per add-on: its own password, hardened, data kept across a rotation, gone on destroy', async () => {
    const mine = await request(h.app).post('/apps/shop/addons').set(as(alice)).send({ service: 'redis' }).expect(201);
    await request(h.app).post('/apps/blog/addons').set(as(bob)).send({ service: 'redis' }).expect(201);
    const url = (await request(h.app).get('/apps/shop/config-vars').set(as(alice)).expect(200)).body['REDIS_URL'] as string;
    const bobs = (await request(h.app).get('/apps/blog/config-vars').set(as(bob)).expect(200)).body['REDIS_URL'] as string;
    assert.notEqual(new URL(url).port, new URL(bobs).port, 'a server each');
    await withRedis(url, async (r) => {
      await r.set('greeting', 'hello');
      assert.equal(await r.get('greeting'), 'hello');
    });
    // Bob's password does not open Alice's server; no password does not either.
    const none = new URL(url);
    none.password = '';
    await withRedis(none.toString(), async (r) => {
      await assert.rejects(r.get('greeting'), /NOAUTH/);
      await assert.rejects(r.call('AUTH', decodeURIComponent(new URL(bobs).password)), /WRONGPASS/);
    });

    const resource = `addon_${(mine.body.name as string).slice('redis-'.length)}`;
    const [container] = await docker.listContainers({ filters: { label: [`paas.addon=${resource}`] } });
    const info = await docker.getContainer(container!.Id).inspect();
    assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
    assert.equal(info.Config.Image, 'paas/redis:bookworm');
    assert.equal(info.Config.User, 'redis');

    const usage = await request(h.app).get(`/apps/shop/addons/${mine.body.name}`).set(as(alice)).expect(200);
    assert.equal(usage.body.usage.extra.keys, 1);
    assert.equal(usage.body.usage.connection_limit, 20);

    await request(h.app).post(`/apps/shop/addons/${mine.body.name}/credentials/rotate`).set(as(alice)).expect(200);
    const rotated = (await request(h.app).get('/apps/shop/config-vars').set(as(alice)).expect(200)).body['REDIS_URL'] as string;
    assert.notEqual(new URL(rotated).password, new URL(url).password);
    await withRedis(rotated, async (r) => assert.equal(await r.get('greeting'), 'hello'));

    await request(h.app).delete(`/apps/shop/addons/${mine.body.name}`).set(as(alice)).expect(200);
    assert.deepEqual(await docker.listContainers({ all: true, filters: { label: [`paas.addon=${resource}`] } }), []);
    assert.equal(((await docker.listVolumes({ filters: { label: [`paas.addon=${resource}`] } })).Volumes ?? []).length, 0);
  });
});

// Hosts refused with a clear error and nothing half-done: engines that do not answer or are not
// Docker, and removing the last host while apps run (unless forced).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { findAppByName } from '../db/apps.js';
import { insertHost } from '../db/hosts.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';

describe('hosts: bad input', () => {
  let h: ApiHarness;
  let admin: { token: string };
  let alice: { token: string };
  let notDocker: http.Server;
  let notDockerPort: number;
  const as = (t: { token: string }) => ({ Authorization: `Bearer ${t.token}` });

  before(async () => {
    h = await createApiHarness();
    admin = await h.user('root@example.com', 'admin');
    alice = await h.user('alice@example.com');
    notDocker = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"hello":"this is not Docker"}');
    });
    await new Promise<void>((r) => notDocker.listen(0, '127.0.0.1', r));
    notDockerPort = (notDocker.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((r) => notDocker.close(r));
    await h.close();
  });

  test('an engine that does not answer, or is not Docker, is refused and not added', async () => {
    for (const url of ['tcp://127.0.0.1:1', `tcp://127.0.0.1:${notDockerPort}`]) {
      const res = await request(h.app).post('/hosts').set(as(admin)).send({ name: 'node-2', docker_url: url, address: '10.0.0.2' });
      assert.equal(res.status, 422, url);
      assert.equal(res.body.id, 'invalid_params');
      assert.match(res.body.message, new RegExp(`^docker_url: ${url} does not answer as a Docker engine`));
    }
    const scheme = await request(h.app).post('/hosts').set(as(admin)).send({ name: 'node-2', docker_url: 'http://10.0.0.2', address: '10.0.0.2' });
    assert.equal(scheme.status, 422);
    assert.match(scheme.body.message, /^docker_url: must be a unix:\/\/, tcp:\/\/ or ssh:\/\/ URL/);
    // plain tcp:// to another machine is refused unless the admin says insecure (issue 19)
    const plain = await request(h.app).post('/hosts').set(as(admin)).send({ name: 'node-2', docker_url: 'tcp://10.0.0.2:2375', address: '10.0.0.2' });
    assert.equal(plain.status, 422);
    assert.match(plain.body.message, /^docker_url: plain tcp:\/\/ to 10\.0\.0\.2 would send the engine's API unencrypted .*--insecure/);
    const name = await request(h.app).post('/hosts').set(as(admin)).send({ name: 'Node 2', docker_url: 'unix:///var/run/docker.sock', address: '10.0.0.2' });
    assert.equal(name.status, 422);
    assert.deepEqual((await request(h.app).get('/hosts').set(as(admin))).body, []);
    assert.equal((await request(h.app).post('/hosts').set(as(alice)).send({ name: 'x1', docker_url: 'unix:///var/run/docker.sock', address: '1.2.3.4' })).status, 403);
  });

  test('the last host cannot be removed while apps are scaled up, unless forced', async () => {
    await insertHost(h.db.pool, { name: 'local', dockerUrl: 'unix:///var/run/docker.sock', address: '127.0.0.1', capacityMemoryMb: null, labels: {}, tls: null });
    await request(h.app).post('/apps').set(as(alice)).send({ name: 'shop' }).expect(201);
    const app = (await findAppByName(h.db.pool, 'shop'))!;
    await h.releases.release(app, { image: 'img:1', processTypes: { web: 'npm start' }, buildId: null, description: 'Deploy 1', userId: null });
    const refused = await request(h.app).delete('/hosts/local').set(as(admin));
    assert.equal(refused.status, 422);
    assert.match(refused.body.message, /^local is the last host and apps are scaled up/);
    assert.equal((await request(h.app).get('/hosts').set(as(admin))).body.length, 1, 'still there');
    await request(h.app).delete('/hosts/local?force=true').set(as(admin)).expect(200);
    assert.deepEqual((await request(h.app).get('/hosts').set(as(admin))).body, []);
    assert.equal((await request(h.app).delete('/hosts/local').set(as(admin))).status, 404);
  });

  test('scaling to an absurd or fractional count is refused', async () => {
    for (const quantity of [101, 1e9, 1.5, -1]) {
      const res = await request(h.app).patch('/apps/shop/formation').set(as(alice)).send({ updates: [{ type: 'web', quantity }] });
      assert.equal(res.status, 422, String(quantity));
      assert.match(res.body.message, /^updates\.0\.quantity: /);
    }
    assert.deepEqual((await request(h.app).get('/apps/shop/formation').set(as(alice))).body.map((f: { quantity: number }) => f.quantity), [1]);
  });
});

// hosts:provision and friends refused with a clear 4xx before anything runs: bad URLs and keys,
// --swarm without the swarm runtime, names held by hosts added by URL, other users, and SSH servers
// that are not there, refuse the key or never speak (a deadline, not a hang).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import request from 'supertest';
import ssh2 from 'ssh2';
import { insertHost } from '../db/hosts.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';

describe('hosts:provision: bad input', () => {
  let h: ApiHarness;
  let admin: { token: string };
  let alice: { token: string };
  let silent: Server;
  let silentPort: number;
  const sockets = new Set<Socket>();
  const key = ssh2.utils.generateKeyPairSync('ed25519').private;
  const as = (t: { token: string }) => ({ Authorization: `Bearer ${t.token}` });

  before(async () => {
    h = await createApiHarness();
    admin = await h.user('root@example.com', 'admin');
    alice = await h.user('alice@example.com');
    silent = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as { port: number }).port;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
    await h.close();
  });

  const provision = (name: string, body: Record<string, unknown>, who = admin) =>
    request(h.app).post(`/hosts/${name}/provision`).set(as(who)).send({ private_key: key, ...body });

  test('malformed requests get a 422 naming the field', async () => {
    for (const ssh_url of ['http://root@10.0.0.5', 'ssh://10.0.0.5', 'ssh://root@10.0.0.5/x', 'ssh://root@bad host', 'ssh://root@10.0.0.5:99999', `ssh://root@${'a'.repeat(300)}`, 'ssh://ro;ot@10.0.0.5']) {
      const res = await provision('node-9', { ssh_url });
      assert.equal(res.status, 422, `${ssh_url}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.message, /ssh_url/, ssh_url);
    }
    const notKey = await provision('node-9', { ssh_url: 'ssh://root@127.0.0.1', private_key: 'hello' });
    assert.equal(notKey.status, 422);
    assert.match(notKey.body.message, /private_key: must be a PEM or OpenSSH private key/);
    const garbled = await provision('node-9', { ssh_url: `ssh://root@127.0.0.1:${silentPort}`, private_key: '-----BEGIN OPENSSH PRIVATE KEY-----\nnot base64 at all\n-----END OPENSSH PRIVATE KEY-----\n' });
    assert.equal(garbled.status, 422);
    assert.match(garbled.body.message, /private_key/);
    const badName = await provision('Node_9', { ssh_url: 'ssh://root@127.0.0.1' });
    assert.equal(badName.status, 422);
  });

  test('--swarm is refused until the swarm runtime lands; a name held by a host added by URL is refused', async () => {
    const swarm = await provision('node-9', { ssh_url: 'ssh://root@127.0.0.1', swarm: true });
    assert.equal(swarm.status, 422);
    assert.match(swarm.body.message, /not available until the swarm runtime lands/);
    await insertHost(h.db.pool, { name: 'by-url', dockerUrl: 'unix:///var/run/docker.sock', address: '127.0.0.1', capacityMemoryMb: null, labels: {}, tls: null });
    const taken = await provision('by-url', { ssh_url: 'ssh://root@127.0.0.1' });
    assert.equal(taken.status, 409);
    for (const path of ['/hosts/by-url/env', '/hosts/nowhere/env']) {
      const res = await request(h.app).get(path).set(as(admin));
      assert.equal(res.status, path.includes('nowhere') ? 404 : 422, path);
    }
    assert.equal((await request(h.app).post('/hosts/by-url/deprovision').set(as(admin))).status, 422);
    assert.equal((await request(h.app).post('/hosts/by-url/rotate-certs').set(as(admin))).status, 422);
  });

  test('SSH servers that are not there, or never speak, fail with a clear error within the deadline', async () => {
    const closed = await provision('node-9', { ssh_url: 'ssh://root@127.0.0.1:1' });
    assert.equal(closed.status, 502);
    assert.equal(closed.body.id, 'provision_failed');
    assert.match(closed.body.message, /ssh root@127\.0\.0\.1:1: .*ECONNREFUSED/);
    const hung = await provision('node-9', { ssh_url: `ssh://root@127.0.0.1:${silentPort}` });
    assert.equal(hung.status, 502);
    assert.match(hung.body.message, /ssh 127\.0\.0\.1:\d+: no SSH session within 3 s|Timed out while waiting for handshake/);
    assert.deepEqual((await request(h.app).get('/hosts').set(as(admin))).body.map((x: { name: string }) => x.name), ['by-url']);
  });

  test('only admins provision or get engine credentials', async () => {
    assert.equal((await provision('node-9', { ssh_url: 'ssh://root@127.0.0.1' }, alice)).status, 403);
    assert.equal((await request(h.app).get('/hosts/by-url/env').set(as(alice))).status, 403);
    assert.equal((await request(h.app).post('/hosts/by-url/deprovision').set(as(alice))).status, 403);
  });
});

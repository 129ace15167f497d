// Volumes end to end on the real Docker engine, through the multi-host runtime: a host `local` (this
// machine's engine) and a host `far` that never answers. A file written into a volume survives a
// release, a restart and a rollback; a release that would need the volume's lost host is refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import request from 'supertest';
import { createLogger } from '@paas/shared';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { insertHost } from '../db/hosts.js';
import { findAppByName, insertApp } from '../db/apps.js';
import { finishBuild, insertBuild } from '../db/builds.js';
import { ClusterRuntime } from '../scheduler/cluster-runtime.js';
import { createApiHarness, type ApiHarness } from '../api/test-harness.js';
import { as } from '../api/test-fixtures.js';
import { checkMountPath } from './volume-service.js';

const image = 'paas/run:bookworm';
const docker = new Docker();

async function exec(containerId: string, cmd: string[]): Promise<string> {
  const e = await docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await e.start({});
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (b: Buffer) => chunks.push(b));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  // Multiplexed frames: 8-byte headers before each payload.
  const all = Buffer.concat(chunks);
  let out = '';
  for (let i = 0; i + 8 <= all.length; ) {
    const n = all.readUInt32BE(i + 4);
    out += all.subarray(i + 8, i + 8 + n).toString();
    i += 8 + n;
  }
  return out;
}

test('mount paths: absolute, plain, never over the system or the app', () => {
  assert.equal(checkMountPath('/data/'), '/data');
  assert.equal(checkMountPath('/app/storage'), '/app/storage');
  for (const bad of ['data', '/', '/app', '/etc', '/etc/cron.d', '/proc/x', '/data/../etc', '/da ta', '/data;rm', '/./data', '']) {
    assert.throws(() => checkMountPath(bad), /invalid_params|cannot be mounted|absolute path/, bad);
  }
});

describe('volumes on Docker hosts', { timeout: 300_000 }, () => {
  let hostsDb: TestDatabase;
  let runtime: ClusterRuntime;
  let h: ApiHarness;
  let alice: { token: string; user: { id: string } };
  let bob: { token: string; user: { id: string } };
  const cluster = `test-vol-${randomBytes(4).toString('hex')}`;
  const web = async (): Promise<{ id: string; host: string; volumes?: string[] }[]> =>
    (await runtime.list({ app: 'notes' })).filter((p) => p.type === 'web' && (p.state === 'up' || p.state === 'starting'));

  before(async () => {
    hostsDb = await createTestDatabase();
    await insertHost(hostsDb.pool, { name: 'local', dockerUrl: 'unix:///var/run/docker.sock', address: '127.0.0.1', capacityMemoryMb: null, labels: {}, tls: null });
    await insertHost(hostsDb.pool, { name: 'far', dockerUrl: 'tcp://127.0.0.1:9', address: '127.0.0.9', capacityMemoryMb: null, labels: {}, tls: null });
    runtime = new ClusterRuntime({
      pool: hostsDb.pool,
      cluster,
      imageSource: docker,
      localPublishAddress: '127.0.0.1',
      defaultMemoryMb: 64,
      failuresBeforeDown: 1,
      log: createLogger('test', 'silent'),
    });
    await runtime.checkHealth();
    h = await createApiHarness({ runtime, volumeHosts: () => runtime.engines().map((e) => e.row.name) });
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
    const id = await insertApp(h.db.pool, 'notes', alice.user.id);
    const build = await insertBuild(h.db.pool, id, alice.user.id, 'b'.repeat(40));
    const processTypes = { web: 'exec sleep 1000', worker: 'exec sleep 1000' };
    await finishBuild(h.db.pool, build.id, { status: 'succeeded', image, processTypes, buildpack: 'test', output: '' });
    await h.releases.release((await findAppByName(h.db.pool, 'notes'))!, { image, processTypes, buildId: build.id, description: 'Deploy bbbbbbb', userId: alice.user.id });
  });
  after(async () => {
    await h?.close();
    const left = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    for (const n of await docker.listNetworks({ filters: { label: [`paas.cluster=${cluster}`] } })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
    const { Volumes } = await docker.listVolumes({ filters: { label: [`paas.cluster=${cluster}`] } });
    for (const v of Volumes ?? []) await docker.getVolume(v.Name).remove().catch(() => undefined);
    await hostsDb?.drop();
  });

  test('a file in a volume survives a release, ps:restart and a rollback; the process stays on the host that holds it', async () => {
    const created = await request(h.app).post('/apps/notes/volumes').set(as(alice)).send({ name: 'data', mount: '/data', types: ['web'] }).expect(201);
    assert.equal(created.body.host, 'local');
    const listed = await request(h.app).get('/apps/notes/volumes').set(as(alice)).expect(200);
    assert.deepEqual(listed.body.map((v: { name: string; mount: string }) => [v.name, v.mount]), [['data', '/data']]);

    const [first] = await web();
    assert.ok(first, 'web runs');
    assert.equal(first.host, 'local');
    const dynos = await request(h.app).get('/apps/notes/dynos').set(as(alice)).expect(200);
    assert.deepEqual(dynos.body.find((d: { name: string }) => d.name === 'web.1').volumes, ['data:/data']);

    // The app's user owns it (the app never runs as root); the only mount is the volume.
    await exec(first.id, ['sh', '-c', 'echo kept > /data/note.txt']);
    assert.equal(await exec(first.id, ['cat', '/data/note.txt']), 'kept\n');
    const inspected = await docker.getContainer(first.id).inspect();
    assert.deepEqual(inspected.Mounts.map((m) => [m.Type, m.Destination]), [['volume', '/data']]);
    assert.deepEqual(inspected.HostConfig.Binds ?? [], []);

    // A release (config change): a new container, the same data.
    await request(h.app).patch('/apps/notes/config-vars').set(as(alice)).send({ GREETING: 'hi' }).expect(200);
    const [second] = await web();
    assert.notEqual(second!.id, first.id);
    assert.equal(await exec(second!.id, ['cat', '/data/note.txt']), 'kept\n');

    // ps:restart.
    await request(h.app).delete('/apps/notes/dynos/web').set(as(alice)).expect(200);
    const [third] = await web();
    assert.notEqual(third!.id, second!.id);
    assert.equal(await exec(third!.id, ['cat', '/data/note.txt']), 'kept\n');

    // A rollback to the release before the volume: volumes are the app's, not the release's.
    await request(h.app).post('/apps/notes/releases').set(as(alice)).send({ release: 'v1' }).expect(201);
    const [fourth] = await web();
    assert.equal(await exec(fourth!.id, ['cat', '/data/note.txt']), 'kept\n');
  });

  test("another user cannot list, create or destroy the app's volumes; hostile input is refused", async () => {
    await request(h.app).get('/apps/notes/volumes').set(as(bob)).expect(404);
    await request(h.app).post('/apps/notes/volumes').set(as(bob)).send({ name: 'x', mount: '/x' }).expect(404);
    await request(h.app).delete('/apps/notes/volumes/data').set(as(bob)).expect(404);
    const cases: [object, number, string][] = [
      [{ name: 'etc', mount: '/etc' }, 422, 'invalid_params'],
      [{ name: 'Bad_Name', mount: '/x' }, 422, 'invalid_params'],
      [{ name: 'nfs', mount: '/nfs', driver: 'rexray' }, 403, 'forbidden'],
      [{ name: 'host', mount: '/host', options: { type: 'none', o: 'bind', device: '/' } }, 403, 'forbidden'],
      [{ name: 'data', mount: '/other' }, 409, 'name_taken'],
      [{ name: 'again', mount: '/data' }, 409, 'name_taken'],
    ];
    for (const [body, status, id] of cases) {
      const res = await request(h.app).post('/apps/notes/volumes').set(as(alice)).send(body).expect(status);
      assert.equal(res.body.id, id, JSON.stringify(body));
    }
  });

  test('a release that would move a process off its lost volume host is refused with the reason; the old release keeps running', async () => {
    const [before] = await web();
    await h.db.pool.query("UPDATE volumes SET host = 'far' WHERE name = 'data'");
    const res = await request(h.app).patch('/apps/notes/config-vars').set(as(alice)).send({ GREETING: 'moved' });
    assert.ok(res.status >= 400, `status ${res.status}`);
    assert.match(res.body.message, /web\.1 mounts the volume data, whose data is on host far, which is down/);
    const [still] = await web();
    assert.equal(still!.id, before!.id);
    await h.db.pool.query("UPDATE volumes SET host = 'local' WHERE name = 'data'");
  });

  test('volumes:destroy replaces the processes without it, then removes its data', async () => {
    const [v] = (await request(h.app).get('/apps/notes/volumes').set(as(alice)).expect(200)).body as { id: string }[];
    await request(h.app).delete('/apps/notes/volumes/data').set(as(alice)).expect(200);
    const [now] = await web();
    const inspected = await docker.getContainer(now!.id).inspect();
    assert.deepEqual(inspected.Mounts, []);
    await assert.rejects(docker.getVolume(`paas-vol-${v!.id}`).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
    await request(h.app).delete('/apps/notes/volumes/data').set(as(alice)).expect(404);
  });
});

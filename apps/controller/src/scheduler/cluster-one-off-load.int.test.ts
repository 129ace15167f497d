// One-offs reserve memory on their host like any process: placement counts them while they run
// (attached or detached) and not once they are gone. Real Docker (the local engine as one host with
// a small memory capacity), real PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { createLogger } from '@paas/shared';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { insertHost } from '../db/hosts.js';
import { collector, oneOffSpec } from '../runtime/one-off.contract.js';
import type { ProcessSpec } from '../runtime/runtime-backend.js';
import { ClusterRuntime } from './cluster-runtime.js';

const image = 'paas/run:bookworm';

describe('ClusterRuntime: one-offs in placement load', () => {
  const docker = new Docker();
  const cluster = `test-${randomBytes(4).toString('hex')}`;
  let db: TestDatabase;
  let runtime: ClusterRuntime;

  const worker = (index: number): ProcessSpec => ({
    app: 'load',
    release: 1,
    type: 'worker',
    index,
    image,
    command: 'sleep 300',
    env: {},
    port: 5000,
    publish: false,
    memoryMb: 128,
  });
  const full = /not enough free memory on any host for a 128 MB process/;

  before(async () => {
    db = await createTestDatabase();
    // Room for two 128 MB processes.
    await insertHost(db.pool, { name: 'local', dockerUrl: 'unix:///var/run/docker.sock', address: '127.0.0.1', capacityMemoryMb: 256, labels: {}, tls: null });
    runtime = new ClusterRuntime({
      pool: db.pool,
      cluster,
      imageSource: docker,
      localPublishAddress: '127.0.0.1',
      defaultMemoryMb: 128,
      failuresBeforeDown: 2,
      log: createLogger('test', 'silent'),
    });
    await runtime.checkHealth();
  });
  after(async () => {
    const left = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    for (const n of await docker.listNetworks({ filters: { label: [`paas.cluster=${cluster}`] } })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
    await db.drop();
  });

  test('a detached one-off holds its memory until it is stopped', async () => {
    const run = await runtime.runDetached(oneOffSpec(image, { app: 'load', index: 1, command: 'sleep 300', memoryMb: 128 }));
    const one = await runtime.start(worker(1));
    await assert.rejects(runtime.start(worker(2)), full, 'the one-off and worker.1 fill the host');
    await runtime.stop(run.id, 0);
    const two = await runtime.start(worker(2));
    await Promise.all([one, two].map((p) => runtime.stop(p.id, 0)));
  });

  test('an attached one-off holds its memory until it exits', async () => {
    const stdin = new PassThrough();
    const io = { stdin, stdout: collector(), stderr: collector(), signal: new AbortController().signal };
    // Without a memory limit it reserves the default (128 MB).
    const run = await runtime.runAttached(oneOffSpec(image, { app: 'load', index: 2, command: 'read line; echo "got $line"' }), io);
    await runtime.startMany([worker(1)]);
    await assert.rejects(runtime.startMany([worker(2)]), full);
    stdin.end('go\n');
    assert.equal(await run.exit, 0);
    assert.match(io.stdout.text(), /got go/);
    const two = await runtime.start(worker(2));
    assert.equal(two.name, 'worker.2');
    for (const p of await runtime.list({ app: 'load' })) await runtime.stop(p.id, 0);
  });

  test('a detached one-off that exited on its own stops counting at the next listing', async () => {
    const run = await runtime.runDetached(oneOffSpec(image, { app: 'load', index: 3, command: 'sleep 300', memoryMb: 256 }));
    await assert.rejects(runtime.start(worker(1)), full);
    // It ends behind the runtime's back (as a finished job does).
    await docker.getContainer(run.id).kill();
    for (let i = 0; ; i++) {
      const listed = await runtime.listOneOffs({ app: 'load' });
      if (!listed.some((p) => p.id === run.id && (p.state === 'up' || p.state === 'starting'))) break;
      assert.ok(i < 600, 'the killed one-off is still listed as running');
      await new Promise((r) => setTimeout(r, 100));
    }
    const one = await runtime.start(worker(1));
    await runtime.stop(one.id, 0);
    await runtime.stop(run.id, 0);
  });
});

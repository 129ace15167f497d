import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { createLogger } from '@paas/shared';
import { DockerHostBackend } from './docker-host-backend.js';
import { collector, oneOffContract, oneOffIo, oneOffSpec } from './one-off.contract.js';
import { eventually } from '@paas/test-kit';

const image = 'paas/run:bookworm';
const docker = new Docker();

function backend(cluster: string): DockerHostBackend {
  return new DockerHostBackend({ docker, hostName: 'local', publishAddress: '127.0.0.1', address: '127.0.0.1', cluster, log: createLogger('test', 'silent') });
}

async function removeCluster(cluster: string): Promise<void> {
  const left = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  for (const n of await docker.listNetworks({ filters: { label: [`paas.cluster=${cluster}`] } })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
}

oneOffContract('DockerHostBackend', async () => {
  const cluster = `test-${randomBytes(4).toString('hex')}`;
  return { runtime: backend(cluster), image, close: () => removeCluster(cluster) };
});

describe('DockerHostBackend one-offs and limits', () => {
  const cluster = `test-${randomBytes(4).toString('hex')}`;
  const runtime = backend(cluster);
  before(async () => {
    await docker.getImage(image).inspect();
  });
  after(() => removeCluster(cluster));

  test('stdout and stderr stay apart, the exit code comes through, config and DYNO are set', async () => {
    const io = oneOffIo();
    const run = await runtime.runAttached(
      oneOffSpec(image, { index: 2, command: 'echo "hi $GREETING from $DYNO"; echo oops >&2; exit 3' }),
      io,
    );
    assert.equal(await run.exit, 3);
    assert.equal(io.stdout.text(), 'hi hello from run.2\n');
    assert.equal(io.stderr.text(), 'oops\n');
    const labels = (await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`, 'paas.process=run.2'] } })).length;
    assert.ok(labels <= 1);
  });

  test("the caller's stdin reaches the process, and its end closes it", async () => {
    const io = oneOffIo('world\nsecond line\n');
    const run = await runtime.runAttached(oneOffSpec(image, { index: 3, command: 'read x; echo got $x; cat' }), io);
    assert.equal(await run.exit, 0);
    assert.equal(io.stdout.text(), 'got world\nsecond line\n');
  });

  test('with a tty, the process sees a terminal of the given size', async () => {
    const io = oneOffIo();
    const run = await runtime.runAttached(
      oneOffSpec(image, { index: 4, tty: true, size: { cols: 100, rows: 30 }, command: 'test -t 0 && echo tty; sleep 0.3; stty size' }),
      io,
    );
    assert.equal(await run.exit, 0);
    assert.match(io.stdout.text(), /tty\r?\n30 100/);
  });

  test('a caller that goes away kills the process', async () => {
    const stdin = new PassThrough();
    const controller = new AbortController();
    const run = await runtime.runAttached(oneOffSpec(image, { index: 5, command: 'sleep 60' }), {
      stdin,
      stdout: collector(),
      stderr: collector(),
      signal: controller.signal,
    });
    const started = Date.now();
    controller.abort();
    assert.notEqual(await run.exit, 0);
    assert.ok(Date.now() - started < 15_000);
  });

  test('a detached one-off runs to completion; its output stays readable', async () => {
    const info = await runtime.runDetached(oneOffSpec(image, { index: 6, command: 'echo detached $GREETING' }));
    const out = await eventually(async () => {
      const text = await runtime.logs(info.id, 10);
      return text.includes('detached') ? text : undefined;
    }, "the one-off's output", { intervalMs: 100 });
    assert.equal(out, 'detached hello\n');
    const down = async () => (await runtime.listOneOffs({ app: 'contract-run' })).find((p) => p.id === info.id)?.state === 'down';
    await eventually(down, 'the one-off to exit 0 and be kept', { intervalMs: 100 });
    await runtime.stop(info.id, 0);
  });

  test('memory and CPU limits are enforced by the engine, for processes and one-offs', async () => {
    const web = await runtime.start({
      app: 'limits-app',
      release: 1,
      type: 'worker',
      index: 1,
      image,
      command: 'sleep 60',
      env: {},
      port: 5000,
      publish: false,
      memoryMb: 64,
      cpus: 0.5,
    });
    const host = (await docker.getContainer(web.id).inspect()).HostConfig;
    assert.equal(host.Memory, 64 * 1024 * 1024);
    assert.equal(host.NanoCpus, 500_000_000);
    const listed = (await runtime.list({ app: 'limits-app' }))[0];
    assert.equal(listed?.memoryMb, 64);
    assert.equal(listed?.cpus, 0.5);
    await runtime.stop(web.id, 0);

    const io = oneOffIo();
    const run = await runtime.runAttached(
      oneOffSpec(image, { index: 9, memoryMb: 32, cpus: 0.25, command: 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes' }),
      io,
    );
    assert.equal(await run.exit, 0);
    assert.equal(io.stdout.text().trim(), String(32 * 1024 * 1024));
  });
});

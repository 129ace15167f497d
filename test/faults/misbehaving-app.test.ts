/**
 * Apps that misbehave are contained to themselves, on the real engine through the runtime the
 * controller uses: a memory hog is OOM-killed inside its own limit (and only it), a process that
 * ignores SIGTERM is killed once its stop grace is over, a fork bomb stops at the PID limit, a disk
 * filler is stopped by the reconcile's disk watch once over its limit; a quiet app next to them
 * answers throughout. (Log floods: apps/controller/src/logs/log-collector.test.ts;
 * the fork bomb through a full platform: test/isolation/tenant-isolation.test.ts.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { createLogger } from '@paas/shared';
import { httpGet } from '../helpers/platform.js';
import { DockerHostBackend } from '../../apps/controller/src/runtime/docker-host-backend.js';
import type { ProcessInfo, ProcessSpec } from '../../apps/controller/src/runtime/runtime-backend.js';
import { DiskWatch } from '../../apps/controller/src/deploy/disk-watch.js';
import type { PlatformEventSink } from '../../apps/controller/src/logs/platform-events.js';

describe('a misbehaving app is contained', { timeout: 300_000 }, () => {
  const docker = new Docker();
  const cluster = `test-${randomBytes(4).toString('hex')}`;
  const backend = new DockerHostBackend({
    docker,
    hostName: 'local',
    publishAddress: '127.0.0.1',
    address: '127.0.0.1',
    cluster,
    pidsLimit: 64,
    log: createLogger('test', 'silent'),
  });
  let quiet: ProcessInfo;
  const spec = (app: string, command: string, over: Partial<ProcessSpec> = {}): ProcessSpec => ({
    app,
    release: 1,
    type: 'web',
    index: 1,
    image: 'paas/run:bookworm',
    command,
    env: {},
    port: 5000,
    publish: false,
    memoryMb: 64,
    ...over,
  });
  const quietAnswers = async (): Promise<void> => {
    for (let i = 0; i < 100; i++) {
      if ((await httpGet(quiet.port!, 'quiet.localhost', '/').catch(() => undefined))?.status === 200) return;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.fail('the quiet app does not answer');
  };
  const events = async (id: string, since: number, event: string): Promise<number> => {
    const stream = (await docker.getEvents({ since: Math.floor(since / 1000) - 1, until: Math.ceil(Date.now() / 1000), filters: { container: [id], event: [event] } })) as NodeJS.ReadableStream;
    let text = '';
    for await (const chunk of stream) text += chunk.toString();
    return text.split('\n').filter((l) => l.trim()).length;
  };

  before(async () => {
    quiet = await backend.start(spec('quiet', 'echo quiet >/tmp/index.html && exec busybox httpd -f -p $PORT -h /tmp', { publish: true }));
    await quietAnswers();
  });
  after(async () => {
    const left = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    for (const n of await docker.listNetworks({ filters: { label: [`paas.cluster=${cluster}`] } })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
  });

  test('a memory hog is OOM-killed within its own limit; the quiet app is not', async () => {
    const since = Date.now();
    const hog = await backend.start(spec('hog', 'x=aaaaaaaaaaaaaaaa; while true; do x="$x$x"; done', { memoryMb: 32 }));
    let ooms = 0;
    for (let i = 0; i < 120 && ooms === 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      ooms = await events(hog.id, since, 'oom');
    }
    assert.ok(ooms > 0, 'the hog was OOM-killed');
    assert.equal(await events(quiet.id, since, 'oom'), 0, 'nothing of the quiet app was killed');
    assert.equal((await docker.getContainer(quiet.id).inspect()).State.Running, true);
    await quietAnswers();
    await backend.stop(hog.id, 0);
  });

  test('a process that ignores SIGTERM is killed once its stop grace is over', async () => {
    const stubborn = await backend.start(spec('stubborn', "trap '' TERM; echo ready; while true; do sleep 1; done"));
    for (let i = 0; i < 50 && !(await backend.logs(stubborn.id, 5)).includes('ready'); i++) await new Promise((r) => setTimeout(r, 100));
    const exited = docker.getContainer(stubborn.id).wait() as Promise<{ StatusCode: number }>;
    await backend.stop(stubborn.id, 2);
    assert.equal((await exited).StatusCode, 137, 'killed (SIGKILL) after the grace, not stopped by SIGTERM');
    assert.deepEqual(await backend.list({ app: 'stubborn' }), []);
    await quietAnswers();
  });

  test('a fork bomb stops at the PID limit; the quiet app answers', async () => {
    const bomb = await backend.start(spec('bomb', 'bomb() { bomb | bomb & }; bomb; sleep 30'));
    let pids = 0;
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const stats = (await docker.getContainer(bomb.id).stats({ stream: false })) as { pids_stats?: { current?: number; limit?: number } };
      pids = Math.max(pids, stats.pids_stats?.current ?? 0);
      if (pids >= 60) break;
    }
    assert.ok(pids > 0 && pids <= 64, `${pids} processes (limit 64)`);
    await quietAnswers();
    await backend.stop(bomb.id, 0);
  });

  test('a disk filler is stopped once over its limit, and told why; the quiet app answers', async () => {
    const said: { app: string; line: string; process?: string }[] = [];
    const events = { say: async (app: string, line: string, process?: string) => void said.push({ app, line, process }) } as unknown as PlatformEventSink;
    const watch = new DiskWatch({ runtime: backend, events, limitBytes: 20 * 1024 * 1024, stopGraceSeconds: 0, log: createLogger('test', 'silent') });
    const filler = await backend.start(spec('filler', 'dd if=/dev/zero of=/tmp/fill bs=1M count=64 2>/dev/null; echo filled; sleep 600'));
    for (let i = 0; i < 100 && !(await backend.logs(filler.id, 5)).includes('filled'); i++) await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual((await watch.runOnce()).map((p) => p.id), [filler.id], 'only the filler is over the limit');
    assert.deepEqual(await backend.list({ app: 'filler' }), [], 'the filler was stopped (the reconcile starts a fresh one)');
    assert.equal(said.length, 1);
    assert.equal(said[0]!.app, 'filler');
    assert.equal(said[0]!.process, 'web.1');
    assert.match(said[0]!.line, /^Disk quota exceeded: web\.1 wrote 6\d MB to its filesystem \(limit 20 MB\)/);
    assert.deepEqual(await watch.runOnce(), [], 'the quiet app is under the limit');
    await quietAnswers();
  });
});

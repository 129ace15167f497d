/**
 * Redis killed and started again empty under a running platform (a private server: the shared one is
 * never touched). The router keeps serving the app under steady load (its table is kept: the empty
 * store has no epoch) and the controller writes the whole table back at once; a build whose job was
 * lost while running fails with that reason and its push ends; a build whose job was lost while
 * queued is queued again from what the controller holds and deploys; the builder's BullMQ worker
 * reconnects (the next push builds); a `paas logs --tail` running through it reconnects and shows the
 * lines written after.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import Docker from 'dockerode';
import { commitAll, gitPush, gitRepo, paasBin, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';
import { steadyLoad } from '../helpers/steady-load.js';
import { eventually } from '@paas/test-kit';

describe('Redis restarts empty', { timeout: 600_000 }, () => {
  let redis: PrivateRedis;
  let p: Platform;
  let work: string;
  let dir: string;
  let slowBuildpack: string;
  const docker = new Docker();
  const app = `redisfault-${randomBytes(3).toString('hex')}`;

  const restartEmpty = async (): Promise<number> => {
    await redis.kill();
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();
    return Date.now();
  };
  const client = (): Redis => new Redis(redis.url, { maxRetriesPerRequest: 1 });
  const prefix = (): string => p.env['PAAS_REDIS_PREFIX']!;

  before(async () => {
    redis = await startPrivateRedis();
    p = await startPlatform({ supervised: true, env: { REDIS_URL: redis.url, PAAS_BUILDPACK_ALLOW_FILE_URLS: '1' } });
    work = await mkdtemp(join(tmpdir(), 'paas-redisfault-'));
    const bp = join(work, 'slow-bp', 'bin');
    await mkdir(bp, { recursive: true });
    await writeFile(join(bp, 'detect'), '#!/bin/sh\necho Slow\n');
    await writeFile(join(bp, 'compile'), '#!/bin/sh\necho "-----> Slow buildpack"\nsleep 300\n');
    await writeFile(join(bp, 'release'), '#!/bin/sh\necho "--- {}"\n');
    for (const f of ['detect', 'compile', 'release']) await chmod(join(bp, f), 0o755);
    slowBuildpack = join(work, 'slow-bp.tgz');
    await new Promise<void>((resolve, reject) =>
      spawn('tar', ['-C', work, '-czf', slowBuildpack, 'slow-bp']).on('close', (code) => (code === 0 ? resolve() : reject(new Error('tar failed')))),
    );
    assert.equal((await p.paas(['apps:create', app])).code, 0);
    dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/static-site'), dir, { recursive: true });
    await gitRepo(dir);
    assert.equal((await p.paas(['git:remote', '-a', app], { cwd: dir })).code, 0);
    const first = await gitPush(p, dir);
    assert.equal(first.code, 0, first.output);
  });
  after(async () => {
    await p?.stop();
    await redis?.remove();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('the router serves throughout and the controller writes the whole route table back', async () => {
    assert.equal((await p.get(app)).status, 200);
    const load = steadyLoad(() => p.get(app));
    const back = await restartEmpty();
    const r = client();
    const epoch = await eventually(async () => ((await r.hget(`${prefix()}:routes`, app)) ? await r.get(`${prefix()}:routes:epoch`) : undefined) ?? undefined, 'the route table written back', { timeoutMs: 60_000, intervalMs: 250, detail: () => p.logs() });
    console.log(`# Redis back empty: the route table was written back after ${((Date.now() - back) / 1000).toFixed(1)} s (epoch ${epoch})`);
    await new Promise((res) => setTimeout(res, 2000));
    const { requests, failed } = await load.stop();
    r.disconnect();
    console.log(`# ${requests} requests through the router during the Redis restart, ${failed} failed`);
    assert.equal(failed, 0, `${failed} of ${requests} requests failed`);
  });

  test('a log tail running through it reconnects and shows the lines written after', async () => {
    const tail = spawn(paasBin, ['logs', '--tail', '-n', '1', '-a', app], { cwd: p.home, env: { ...p.env } });
    let tailed = '';
    let errors = '';
    tail.stdout!.on('data', (b: Buffer) => (tailed += b.toString()));
    tail.stderr!.on('data', (b: Buffer) => (errors += b.toString()));
    try {
      await eventually(async () => (tailed.length > 0 ? true : undefined), 'the tail to start', { timeoutMs: 30_000, intervalMs: 250 });
      await restartEmpty();
      // A line written after Redis came back: the router's line for this request, and a release event.
      await eventually(async () => ((await p.get(app, '/after-redis')).status < 500 ? true : undefined), 'the app to answer', { timeoutMs: 30_000, intervalMs: 250 });
      assert.equal((await p.paas(['config:set', 'AFTER_REDIS=1', '-a', app])).code, 0);
      await eventually(async () => (/path="\/after-redis"/.test(tailed) && /Release v\d+ created/.test(tailed) ? true : undefined), 'the new lines in the tail', {
        timeoutMs: 60_000,
        intervalMs: 250,
        detail: async () => `tail stdout:\n${tailed}\ntail stderr:\n${errors}\n${(await p.logs()).split('\n').filter((l) => /router|access|NOSCRIPT/i.test(l)).slice(-30).join('\n')}`,
      });
      assert.equal(tail.exitCode, null, 'the tail is still running');
    } finally {
      tail.kill();
    }
  });

  test('a running build whose job was lost fails with that reason; the push ends', async () => {
    await writeFile(join(dir, '.buildpacks'), `file://${slowBuildpack}\n`);
    await commitAll(dir, 'slow');
    const push = gitPush(p, dir);
    await eventually(
      async () => (await docker.listContainers({ filters: { label: [`paas.cluster=${p.cluster}`, 'paas.role=build'] } })).find((c) => c.State === 'running'),
      'the build container',
      { timeoutMs: 180_000, intervalMs: 250, detail: () => p.logs() },
    );
    const back = await restartEmpty();
    const pushed = await push;
    console.log(`# a running build's job lost: the push ended ${((Date.now() - back) / 1000).toFixed(1)} s after Redis was back`);
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.output, /the build queue lost this build/);
    const builds = JSON.parse((await p.paas(['builds', '--json', '-a', app])).stdout) as { status: string; error: string }[];
    assert.equal(builds[0]?.status, 'failed');
    assert.match(builds[0]!.error, /Redis restarted/);
    // Its builder was told to stop: the build container goes.
    await eventually(
      async () => ((await docker.listContainers({ filters: { label: [`paas.cluster=${p.cluster}`, 'paas.role=build'] } })).length === 0 ? true : undefined),
      'the build container to go',
      { timeoutMs: 120_000, intervalMs: 250, detail: () => p.logs() },
    );
  });

  test('a queued build whose job was lost is queued again, and the builder (reconnected) deploys it', async () => {
    await rm(join(dir, '.buildpacks'));
    await writeFile(join(dir, 'public', 'index.html'), '<h1>after redis</h1>\n');
    await commitAll(dir, 'after redis');
    // The builder is paused, so the job waits in the queue when Redis goes.
    const builder = (await p.pid('builder'))!;
    process.kill(builder, 'SIGSTOP');
    let resumed = false;
    try {
      const push = gitPush(p, dir);
      const r = client();
      await eventually(async () => ((await r.llen(`${prefix()}:bull:builds:wait`)) > 0 ? true : undefined), 'the job queued', { timeoutMs: 60_000, intervalMs: 250, detail: () => p.logs() });
      r.disconnect();
      await restartEmpty();
      process.kill(builder, 'SIGCONT');
      resumed = true;
      const pushed = await push;
      assert.equal(pushed.code, 0, pushed.output);
      assert.match(pushed.output, /queued again/);
      const page = await p.get(app);
      assert.equal(page.status, 200);
      assert.match(page.body, /after redis/);
    } finally {
      if (!resumed) process.kill(builder, 'SIGCONT');
    }
  });
});

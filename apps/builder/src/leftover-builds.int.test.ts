import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { RedisKeys, createLogger } from '@paas/shared';
import { builderLabel, removeLeftoverBuildContainers, type BuilderIdentity } from './leftover-builds.js';
import { testRedisUrl } from '@paas/test-kit';

/**
 * Build containers left by a builder killed mid-build are removed when a builder starts; those of a
 * builder still running (here, or elsewhere holding its job's lock) stay. Real Docker and Redis.
 */
test('leftover build containers: removed when their builder is gone, kept while it runs', async () => {
  const docker = new Docker();
  const redis = new Redis(testRedisUrl());
  const cluster = `test-${randomBytes(4).toString('hex')}`;
  const keys = new RedisKeys(`paas-test-${cluster}`);
  const self: BuilderIdentity = { host: 'node-a', pid: 4242, instance: 'aaaaaa' };
  const dead = 999_999;
  const make = async (build: string, builder?: BuilderIdentity): Promise<string> => {
    const c = await docker.createContainer({
      Image: 'paas/run:bookworm',
      Cmd: ['sleep', 'infinity'],
      Labels: { 'paas.cluster': cluster, 'paas.app': 'leftover', 'paas.build': build, 'paas.role': 'build', ...(builder ? { 'paas.builder': builderLabel(builder) } : {}) },
    });
    await c.start();
    return c.id;
  };
  try {
    const mine = await make('b-mine', self);
    const killedHere = await make('b-killed', { host: 'node-a', pid: dead, instance: 'bbbbbb' });
    // Restarted with the same host and pid (pid 1 in a container), another instance: the old one is gone.
    const samePid = await make('b-same-pid', { host: 'node-a', pid: 4242, instance: 'cccccc' });
    const otherHostRunning = await make('b-other-running', { host: 'node-b', pid: 7, instance: 'dddddd' });
    const otherHostGone = await make('b-other-gone', { host: 'node-b', pid: 8, instance: 'eeeeee' });
    const unlabelled = await make('b-unlabelled');
    // The builder on node-b running b-other-running holds its job's lock.
    await redis.set(keys.buildJobLock('b-other-running'), 'token', 'PX', 60_000);

    const removed = await removeLeftoverBuildContainers({
      docker,
      redis,
      keys,
      cluster,
      self,
      log: createLogger('test', 'silent'),
      alive: (pid) => pid !== dead,
    });
    assert.deepEqual(removed.sort(), [killedHere, samePid, otherHostGone, unlabelled].sort());
    const left = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } });
    assert.deepEqual(left.map((c) => c.Id).sort(), [mine, otherHostRunning].sort());
  } finally {
    const left = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    await redis.del(keys.buildJobLock('b-other-running'));
    redis.disconnect();
  }
});

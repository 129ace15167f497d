import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisKeys, buildQueueName, readBuildLog, type BuildJobData, type BuildLogEntry } from '@paas/shared';
import { BuildControl } from './build-control.js';
import { testRedisUrl } from '@paas/test-kit';

const keys = new RedisKeys(`paas-test-${randomBytes(4).toString('hex')}`);
let redis: Redis;
let queue: Queue<BuildJobData>;
let control: BuildControl;

before(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  queue = new Queue<BuildJobData>(buildQueueName, { connection: redis, prefix: keys.bull });
  control = new BuildControl(redis, keys, queue);
});
after(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  const left = await redis.keys(`${keys.prefix}:*`);
  if (left.length) await redis.del(...left);
  redis.disconnect();
});

test('cancelling a build no builder has taken removes its job and ends its output, failed', async () => {
  const job = { buildId: 'b1', app: 'a', commit: 'c', sourcePath: '/tmp/x.tar', env: {}, buildpacks: [] };
  await queue.add('build', job, { jobId: 'b1' });
  await control.cancel('b1');
  assert.equal(await queue.getJob('b1'), undefined);
  assert.equal(await redis.get(keys.buildCancel('b1')), 'the git client disconnected', 'a builder that took it meanwhile would see the key');
  const reader = redis.duplicate();
  const entries: BuildLogEntry[] = [];
  for await (const e of readBuildLog(reader, keys.buildLog('b1'), { idleTimeoutMs: 1000 })) entries.push(e);
  reader.disconnect();
  assert.deepEqual(entries, [{ type: 'end', status: 'failed', code: 'build_failed', error: 'Build cancelled: the git client disconnected' }]);
});

test('a running build only gets the key (its builder stops it); a purge starts a new cache generation', async () => {
  await control.cancel('b2');
  assert.equal(await redis.exists(keys.buildCancel('b2')), 1);
  assert.equal(await redis.exists(keys.buildLog('b2')), 0, 'the builder writes the end');
  assert.equal(await control.purgeCache('shop'), 1);
  assert.equal(await control.purgeCache('shop'), 2);
  assert.equal(await redis.get(keys.buildCacheEpoch('shop')), '2');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Queue, Worker } from 'bullmq';
import { BuildLogWriter, RedisKeys, buildQueueName, createLogger, type BuildJobData } from '@paas/shared';
import { LostBuilderWatch, lostBuilderMessage } from './lost-builder-watch.js';
import { eventually, testRedisUrl } from '@paas/test-kit';

/**
 * The watch a push keeps on its build, against real Redis and BullMQ: a running job whose lock no
 * builder holds (its builder died) and a job that failed without ending its output both end the
 * output with "the builder was lost"; a job a live builder runs, and one still waiting, are left alone.
 */
async function setup() {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const keys = new RedisKeys(`paas-test-watch-${randomBytes(4).toString('hex')}`);
  const queue = new Queue<BuildJobData>(buildQueueName, { connection: redis, prefix: keys.bull });
  const log = createLogger('test', 'silent');
  const data = (buildId: string): BuildJobData => ({ buildId, app: 'a', commit: 'c', sourcePath: '/nowhere', env: {} }) as unknown as BuildJobData;
  /** The error of the `end` entry written to the build's output, if one was. */
  const ended = async (buildId: string): Promise<string | undefined> => {
    for (const [, fields] of await redis.xrange(keys.buildLog(buildId), '-', '+')) {
      const f = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
      if (f.get('t') === 'end') return f.get('error');
    }
    return undefined;
  };
  const close = async (): Promise<void> => {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    const left = await redis.keys(`${keys.prefix}:*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
  };
  return { redis, keys, queue, log, data, ended, close };
}

test('a running build whose builder no longer holds its job ends with "the builder was lost"; one held is left alone', async () => {
  const s = await setup();
  let release: () => void = () => undefined;
  const connection = s.redis.duplicate();
  const worker = new Worker<BuildJobData>(buildQueueName, () => new Promise<void>((r) => (release = r)), {
    connection,
    prefix: s.keys.bull,
    maxStalledCount: 0,
  });
  worker.on('error', () => undefined);
  try {
    await s.queue.add('build', s.data('held'), { jobId: 'held' });
    await eventually(async () => (await (await s.queue.getJob('held'))?.getState()) === 'active', 'the held job to be active', 10_000);
    const held = new LostBuilderWatch({ ...s, buildId: 'held', intervalMs: 50 });
    held.start();
    await new Promise((r) => setTimeout(r, 400));
    held.stop();
    assert.equal(await s.ended('held'), undefined, 'a builder holds it: its output is not ended');

    // The builder dies: its lock expires (here: goes at once).
    await s.redis.del(s.keys.buildJobLock('held'));
    const lost = new LostBuilderWatch({ ...s, buildId: 'held', intervalMs: 50 });
    lost.start();
    await eventually(async () => (await s.ended('held')) !== undefined, 'the held build to end', 10_000);
    lost.stop();
    assert.equal(await s.ended('held'), lostBuilderMessage);
  } finally {
    release();
    await worker.close(true);
    connection.disconnect();
    await s.close();
  }
});

test('a job that failed without ending its output ends it; a job waiting for a builder is left alone', async () => {
  const s = await setup();
  try {
    await s.queue.add('build', s.data('waiting'), { jobId: 'waiting' });
    const waiting = new LostBuilderWatch({ ...s, buildId: 'waiting', intervalMs: 50 });
    waiting.start();
    await new Promise((r) => setTimeout(r, 400));
    waiting.stop();
    assert.equal(await s.ended('waiting'), undefined);

    // Gone from the queue (failed and removed, or Redis lost it) with no end in its output.
    const gone = new LostBuilderWatch({ ...s, buildId: 'never-queued', intervalMs: 50 });
    gone.start();
    await eventually(async () => (await s.ended('never-queued')) !== undefined, 'the never-queued build to end', 10_000);
    gone.stop();
    assert.equal(await s.ended('never-queued'), lostBuilderMessage);

    // A build that ended its output: the push stops the watch when it reads the end; nothing more is written.
    await new BuildLogWriter(s.redis, s.keys.buildLog('done')).failed('build_failed', 'compile failed');
    assert.equal(await s.ended('done'), 'compile failed');
  } finally {
    await s.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { BuildLogWriter, createLogger, testRedisUrl } from '@paas/shared';
import { BuildOutput } from './build-output.js';

async function lines(redis: Redis, key: string): Promise<string[]> {
  const entries = (await redis.xrange(key, '-', '+')) as [string, string[]][];
  // fields: t line line <text>
  return entries.map(([, f]) => f[3] ?? '');
}

test('output streams split into lines in order, keep their tail, and nothing is written after close', async () => {
  const redis = new Redis(testRedisUrl());
  const key = `paas-test-${randomBytes(4).toString('hex')}:build:b1:log`;
  try {
    const output = new BuildOutput(new BuildLogWriter(redis, key), createLogger('test', 'silent'));
    await output.heading('Node.js app detected');
    const s = output.stream();
    s.write(Buffer.from('       added 71 '));
    s.write(Buffer.from('packages\n       done\r\nno newline at the end'));
    // a multi-byte character split across chunks survives
    const e = Buffer.from('é\n');
    s.write(e.subarray(0, 1));
    s.write(e.subarray(1));
    await s.end();
    assert.deepEqual(s.tail(), ['       added 71 packages', '       done', 'no newline at the endé']);
    await output.info('after');
    await output.close();
    await output.line('dropped');
    assert.deepEqual(await lines(redis, key), [
      '-----> Node.js app detected',
      '       added 71 packages',
      '       done',
      'no newline at the endé',
      '       after',
    ]);
  } finally {
    await redis.del(key);
    redis.disconnect();
  }
});

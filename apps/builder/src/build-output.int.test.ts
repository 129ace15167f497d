import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { BuildLogWriter, createLogger } from '@paas/shared';
import { BuildOutput, defaultOutputLimits, type OutputLimits } from './build-output.js';
import { testRedisUrl } from '@paas/test-kit';

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

async function withOutput(limits: Partial<OutputLimits>, fn: (output: BuildOutput, lines: () => Promise<string[]>) => Promise<void>): Promise<void> {
  const redis = new Redis(testRedisUrl());
  const key = `paas-test-${randomBytes(4).toString('hex')}:build:b2:log`;
  try {
    const output = new BuildOutput(new BuildLogWriter(redis, key), createLogger('test', 'silent'), { ...defaultOutputLimits, ...limits });
    await fn(output, () => lines(redis, key));
  } finally {
    await redis.del(key);
    redis.disconnect();
  }
}

test('a line is cut at 8 KiB with a mark, the rest of it skipped; a character split at the cut is left out', async () => {
  await withOutput({}, async (output, written) => {
    const s = output.stream();
    s.write(Buffer.from('a'.repeat(5000)));
    s.write(Buffer.from(`${'b'.repeat(5000)}${'c'.repeat(20_000)}\nnext\r\n`));
    // 8191 ASCII bytes then a 2-byte character: the character would straddle the cut.
    s.write(`${'d'.repeat(8191)}é${'e'.repeat(100)}`);
    s.write(Buffer.from('still the same line\nlast'));
    await s.end();
    const got = await written();
    assert.deepEqual(got, [`${'a'.repeat(5000)}${'b'.repeat(3192)} [line cut at 8 KiB]`, 'next', `${'d'.repeat(8191)} [line cut at 8 KiB]`, 'last']);
    assert.deepEqual(s.tail(), got);
  });
});

test('past the total, one notice and nothing more from the processes; the platform’s lines and the tail go on', async () => {
  await withOutput({ maxTotalBytes: 1000 }, async (output, written) => {
    const s = output.stream();
    for (let i = 0; i < 20; i++) s.write(`${String(i).padStart(2, '0')} ${'x'.repeat(96)}\n`);
    await s.end();
    await output.heading('Done');
    const got = await written();
    assert.deepEqual(got.slice(0, 10), Array.from({ length: 10 }, (_, i) => `${String(i).padStart(2, '0')} ${'x'.repeat(96)}`));
    assert.deepEqual(got.slice(10), [" !     The build's output passed 1000 bytes: the rest of it is not shown (the build goes on).", '-----> Done']);
    assert.equal(output.capped, true);
    assert.equal(s.tail().at(-1), `19 ${'x'.repeat(96)}`, 'the tail still follows, for a failure message');
  });
  await withOutput({ maxLines: 5 }, async (output, written) => {
    const s = output.stream();
    s.write('\n'.repeat(3));
    s.write('\n'.repeat(3));
    await s.end();
    assert.deepEqual(await written(), ['', '', '', " !     The build's output passed 5 lines: the rest of it is not shown (the build goes on)."]);
  });
});

test('1 GB without a newline keeps memory flat: one cut line, then the notice at 50 MB', async () => {
  await withOutput({}, async (output, written) => {
    const s = output.stream();
    const chunk = Buffer.alloc(64 * 1024, 'z');
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    for (let i = 0; i < 16 * 1024; i++) {
      s.write(chunk);
      if (i % 1024 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    s.write('\nthe end\n');
    await s.end();
    peak = Math.max(peak, process.memoryUsage().rss);
    const got = await written();
    assert.deepEqual(got, [`${'z'.repeat(8192)} [line cut at 8 KiB]`, " !     The build's output passed 50 MB: the rest of it is not shown (the build goes on)."]);
    assert.deepEqual(s.tail(), [`${'z'.repeat(8192)} [line cut at 8 KiB]`, 'the end']);
    // Generous: the old stream kept the whole line (about 1 GB as a string before it gave up).
    assert.ok(peak - before < 150 * 1024 * 1024, `RSS grew by ${Math.round((peak - before) / 1048576)} MB`);
  });
});

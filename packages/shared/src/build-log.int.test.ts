import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { BuildLogWriter, readBuildLog } from './build-log.js';
import type { BuildLogEntry } from './types.js';
import { testRedisUrl } from '@paas/test-kit';

test('a reader that joins late gets every line, then the end entry', async () => {
  const writerConn = new Redis(testRedisUrl());
  const readerConn = new Redis(testRedisUrl());
  const key = `paas-test-${randomBytes(4).toString('hex')}:build:b1:log`;
  try {
    const w = new BuildLogWriter(writerConn, key);
    await w.line('-----> first');
    await w.lines('a\r\nb\n');
    const read: BuildLogEntry[] = [];
    const reading = (async () => {
      for await (const e of readBuildLog(readerConn, key, { idleTimeoutMs: 5000 })) read.push(e);
    })();
    await w.line('after join');
    await w.failed('build_failed', 'npm ci failed');
    await reading;
    assert.deepEqual(read, [
      { type: 'line', text: '-----> first' },
      { type: 'line', text: 'a' },
      { type: 'line', text: 'b' },
      { type: 'line', text: 'after join' },
      { type: 'end', status: 'failed', code: 'build_failed', error: 'npm ci failed' },
    ]);
    assert.ok((await writerConn.ttl(key)) > 0, 'an ended stream expires');
  } finally {
    await writerConn.del(key);
    writerConn.disconnect();
    readerConn.disconnect();
  }
});

test('a reader gives up with a failure when the builder goes silent', async () => {
  const conn = new Redis(testRedisUrl());
  const key = `paas-test-${randomBytes(4).toString('hex')}:build:b2:log`;
  try {
    const read: BuildLogEntry[] = [];
    for await (const e of readBuildLog(conn, key, { idleTimeoutMs: 10 })) read.push(e);
    assert.equal(read.length, 1);
    assert.equal(read[0]?.type, 'end');
  } finally {
    conn.disconnect();
  }
});

test('the stream is trimmed to about its last maxEntries lines, the end entry kept', async () => {
  const conn = new Redis(testRedisUrl());
  const key = `paas-test-${randomBytes(4).toString('hex')}:build:b3:log`;
  try {
    const w = new BuildLogWriter(conn, key, 200);
    for (let i = 0; i < 20; i++) await w.lines(Array.from({ length: 100 }, (_, j) => `line ${i * 100 + j}`).join('\n'));
    await w.succeeded({ image: 'img', processTypes: {}, buildpack: 'x' } as never);
    const length = await conn.xlen(key);
    assert.ok(length >= 200 && length <= 400, `${length} entries`);
    const last = (await conn.xrevrange(key, '+', '-', 'COUNT', 2)) as [string, string[]][];
    assert.deepEqual(last.map(([, f]) => f[1]), ['end', 'line']);
    assert.equal(last[1]![1][3], 'line 1999');
  } finally {
    await conn.del(key);
    conn.disconnect();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { RedisKeys } from '@paas/shared';
import { formatAccessLine } from './access-log.js';
import { RedisAccessLogSink } from './redis-access-log-sink.js';
import { contextOf } from './request-context.js';
import { backend, quietLogger } from './test-support.js';
import { testRedisUrl } from '@paas/test-kit';

test('the access line is in Heroku’s router format', () => {
  const ctx = contextOf(['Host', 'Shop.example.com:8443', 'X-Request-Id', 'abcdefghij0123456789'], 1000);
  ctx.app = 'shop';
  ctx.backend = backend(5000, 2);
  ctx.connectMs = 1.4;
  ctx.sentAt = 1002;
  ctx.bytes = 512;
  const line = formatAccessLine(ctx, { method: 'GET', path: '/a b?q="x"', fwd: '203.0.113.9', status: 200, protocol: 'https' }, 1014.2);
  assert.equal(
    line,
    'at=info method=GET path="/a b?q=\\"x\\"" host=shop.example.com request_id=abcdefghij0123456789 fwd="203.0.113.9" dyno=web.2 connect=1ms service=12ms status=200 bytes=512 protocol=https',
  );
  const failed = contextOf(['host', 'shop.example.com'], 0);
  failed.error = 'app_timeout';
  assert.match(
    formatAccessLine(failed, { method: 'POST', path: '/', fwd: '::1', status: 504, protocol: 'http' }, 30_000),
    /^at=error code=app_timeout desc="App timed out" method=POST path="\/" host=shop\.example\.com request_id=[0-9a-f-]{36} fwd="::1" dyno=router connect=0ms service=30000ms status=504 bytes=0 protocol=http$/,
  );
});

test('the Redis sink writes batches into each app’s stream, trimmed, and skips lines without an app', async () => {
  const redis = new Redis(testRedisUrl());
  const keys = new RedisKeys(`paas-test-${randomBytes(4).toString('hex')}`);
  const sink = new RedisAccessLogSink(redis, keys, { logger: quietLogger(), flushMs: 5, batch: 100, maxLen: 50 });
  try {
    for (let i = 0; i < 600; i++) sink.write({ app: i % 2 ? 'shop' : 'blog', line: `line ${i}`, at: Date.UTC(2026, 0, 1) + i, error: false });
    sink.write({ app: undefined, line: 'no app', at: 0, error: false });
    await sink.flush();
    const shop = (await redis.xrange(keys.appLogs('shop'), '-', '+')) as [string, string[]][];
    assert.ok(shop.length >= 50 && shop.length < 300, `trimmed to about 50, by whole stream nodes (${shop.length} of 300)`);
    const [, fields] = shop.at(-1)!;
    assert.deepEqual(fields, ['source', 'router', 'line', 'line 599', 'ts', new Date(Date.UTC(2026, 0, 1) + 599).toISOString()]);
    assert.ok((await redis.xlen(keys.appLogs('blog'))) >= 50);
    assert.deepEqual(await redis.keys(`${keys.prefix}:logs:undefined`), []);
  } finally {
    await sink.close();
    const left = await redis.keys(`${keys.prefix}:*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
  }
});

test('an access line is always one line, whatever the path, host, method or forwarded address hold', () => {
  const nasty = ['/a\nb', '/a\r\nSet-Cookie: x', 'tab\there', '\u2028', 'quote"back\\slash', '\u0000', 'café'];
  for (const s of nasty) {
    const ctx = contextOf(['host', s], 0);
    const line = formatAccessLine(ctx, { method: s, path: s, fwd: s, status: 400, protocol: 'http' }, 1);
    assert.doesNotMatch(line, /[\r\n]/, JSON.stringify(s));
    assert.match(line, / status=400 bytes=0 protocol=http$/, JSON.stringify(s));
  }
});

test('the Redis sink keeps each line whole: spaces, non-ASCII text and an escaped newline', async () => {
  const redis = new Redis(testRedisUrl());
  const keys = new RedisKeys(`paas-test-${randomBytes(4).toString('hex')}`);
  const sink = new RedisAccessLogSink(redis, keys, { logger: quietLogger(), maxLen: 50 });
  try {
    const escaped = formatAccessLine(contextOf(['host', 'shop.example.com'], 0), { method: 'GET', path: 'two\nlines', fwd: '::1', status: 200, protocol: 'http' }, 0);
    const lines = ['at=info path="/café menu" status=200', '', escaped];
    for (const line of lines) sink.write({ app: 'shop', line, at: Date.UTC(2026, 0, 1), error: false });
    await sink.flush();
    const entries = (await redis.xrange(keys.appLogs('shop'), '-', '+')) as [string, string[]][];
    assert.deepEqual(
      entries.map(([, fields]) => fields[3]),
      ['at=info path="/café menu" status=200', '', escaped],
    );
    assert.match(entries[2]![1][3]!, /path="two\\nlines"/);
    assert.equal(entries.length, 3);
  } finally {
    await sink.close();
    const left = await redis.keys(`${keys.prefix}:*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
  }
});

test('with Redis away the sink keeps lines (bounded), never throws, and writes them once Redis answers', async () => {
  const redis = new Redis(testRedisUrl(), { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  const keys = new RedisKeys(`paas-test-${randomBytes(4).toString('hex')}`);
  const reader = new Redis(testRedisUrl());
  const sink = new RedisAccessLogSink(redis, keys, { logger: quietLogger(), flushMs: 1, maxBuffered: 10, maxLen: 1500 });
  try {
    for (let i = 0; i < 100; i++) sink.write({ app: 'shop', line: `l${i}`, at: 0, error: false });
    await sink.flush(); // fails: not connected
    // Sending made the lazy client connect: the lines wait for it.
    if (redis.status === 'wait') await redis.connect();
    // The retry timer writes what was kept: the first ten lines, in order; the other ninety were dropped.
    let lines: string[] = [];
    for (let i = 0; i < 100 && lines.length < 10; i++) {
      await new Promise((r) => setTimeout(r, 50));
      lines = ((await reader.xrange(keys.appLogs('shop'), '-', '+')) as [string, string[]][]).map(([, f]) => f[f.indexOf('line') + 1]!);
    }
    assert.deepEqual(lines, ['l0', 'l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7', 'l8', 'l9']);
  } finally {
    await sink.close();
    const left = await reader.keys(`${keys.prefix}:*`);
    if (left.length) await reader.del(...left);
    redis.disconnect();
    reader.disconnect();
  }
});

// The log store's atomic append (lines and the collector's cursor in one script) against real Redis:
// entries keep their order and fields across runs of different processes, and the stream is trimmed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys, type LogEntry } from '@paas/shared';
import { LogStore } from './log-store.js';
import { testRedisUrl } from '@paas/test-kit';

let redis: Redis;
const keys = new RedisKeys(`paas-test-store-${randomBytes(3).toString('hex')}`);

before(() => {
  redis = new Redis(testRedisUrl());
});
after(async () => {
  const left = await redis.keys(`${keys.prefix}:*`);
  if (left.length) await redis.del(...left);
  redis.disconnect();
});

test('appendWithCursor keeps order and fields across processes and sets the cursor with the lines', async () => {
  const store = new LogStore(redis, keys, 1000);
  const at = (i: number) => `2026-11-25T17:00:0${i}.000000001Z`;
  const entries: LogEntry[] = [
    { ts: at(0), source: 'app', process: 'web.1', line: 'one' },
    { ts: at(1), source: 'app', process: 'web.1', line: 'two words' },
    { ts: at(2), source: 'app', process: 'worker.1', line: '' },
    { ts: at(3), source: 'platform', process: 'web.1', line: 'crashed' },
    { ts: at(4), source: 'app', process: 'web.1', line: 'three' },
  ];
  await store.appendWithCursor('shop', entries, { key: keys.logCursors('local'), field: 'c1', value: at(4) });
  const { entries: read } = await store.history('shop', 10);
  assert.deepEqual(
    read.map(({ id: _id, ...e }) => e),
    entries,
  );
  assert.equal(await redis.hget(keys.logCursors('local'), 'c1'), at(4));
  // A cursor alone moves too (the stream ended on a message without lines).
  await store.appendWithCursor('shop', [], { key: keys.logCursors('local'), field: 'c1', value: at(5) });
  assert.equal(await redis.hget(keys.logCursors('local'), 'c1'), at(5));
});

test('appendWithCursor trims the stream to about its length', async () => {
  const store = new LogStore(redis, keys, 100);
  for (let b = 0; b < 20; b++) {
    await store.appendWithCursor('busy', Array.from({ length: 50 }, (_, i) => ({ ts: new Date().toISOString(), source: 'app' as const, process: 'web.1', line: `l${b * 50 + i}` })));
  }
  const info = await store.info('busy');
  assert.equal(info.entriesAdded, 1000);
  assert.ok(info.length >= 100 && info.length <= 300, `${info.length} entries kept`);
  const { entries } = await store.history('busy', 1);
  assert.equal(entries[0]?.line, 'l999');
});

test('append stores one line or several in order, and trims the stream', async () => {
  const store = new LogStore(redis, keys, 100);
  const line = (i: number): LogEntry => ({ ts: `2026-11-26T01:00:00.${String(i).padStart(9, '0')}Z`, source: 'platform', process: 'api', line: `event ${i}` });
  await store.append('events', [line(0)]);
  await store.append('events', [line(1), line(2)]);
  await store.append('events', []);
  const { entries } = await store.history('events', 10);
  assert.deepEqual(entries.map(({ id: _id, ...e }) => e), [line(0), line(1), line(2)]);
  for (let i = 3; i < 1000; i++) await store.append('events', [line(i)]);
  const info = await store.info('events');
  assert.equal(info.entriesAdded, 1000);
  assert.ok(info.length >= 100 && info.length <= 300, `${info.length} entries kept`);
});

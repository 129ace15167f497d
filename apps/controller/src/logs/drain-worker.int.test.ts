// Drain workers against real Redis and real receivers: every line arrives, including those written
// while the receiver was down; a drain that falls too far behind drops, counts and reports lines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { EgressGuard, RedisKeys, createLogger } from '@paas/shared';
import type { LogDrainRow } from '../db/log-drains.js';
import { DrainStateStore } from './drain-state.js';
import { transportFor } from './drain-transports.js';
import { parseDrainUrl } from './drain-url.js';
import { DrainWorker } from './drain-worker.js';
import { LogStore } from './log-store.js';
import { PlatformEvents } from './platform-events.js';
import { HttpsReceiver, SyslogReceiver, selfSignedCert, type TestCert } from './test-drain-receivers.js';
import { eventually, testRedisUrl } from '@paas/test-kit';

const log = createLogger('test', 'silent');

describe('drain workers', () => {
  let redis: Redis;
  let keys: RedisKeys;
  let dir: string;
  let cert: TestCert;

  before(async () => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    keys = new RedisKeys(`paas-test-${randomBytes(4).toString('hex')}`);
    dir = await mkdtemp(join(tmpdir(), 'paas-drain-test-'));
    cert = await selfSignedCert(dir);
  });
  after(async () => {
    const left = await redis.keys(`${keys.prefix}:*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  function worker(app: string, url: string, store: LogStore, maxLag = 1000) {
    const drain: LogDrainRow = { id: randomUUID(), app_id: randomUUID(), app, url, token: `d.${randomUUID()}`, created_at: new Date(), updated_at: new Date() };
    const state = new DrainStateStore(redis, keys);
    const w = new DrainWorker({
      drain,
      store,
      state,
      transport: transportFor(parseDrainUrl(url), { token: drain.token, ca: cert.cert, timeoutMs: 2000, guard: new EgressGuard({ allowLoopback: true }) }),
      events: new PlatformEvents(store, log),
      log,
      maxLag,
      idleMs: 50,
      backoff: { baseMs: 100, maxMs: 500 },
    });
    return { drain, state, w };
  }

  const lines = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ ts: new Date().toISOString(), source: 'app' as const, process: 'web.1', line: `${prefix} ${i}` }));

  for (const kind of ['syslog', 'syslog+tls', 'https'] as const) {
    test(`${kind}: every line arrives, including those written while the receiver was down`, async () => {
      const app = `drain-${kind.replace('+', '-')}`;
      const store = new LogStore(redis, keys, 1500);
      await store.append(app, lines('before the drain', 3));
      const receiver = kind === 'https' ? new HttpsReceiver(cert) : new SyslogReceiver(kind === 'syslog+tls' ? cert : undefined);
      const port = await receiver.start();
      const url = kind === 'https' ? `https://127.0.0.1:${port}/logs` : `${kind}://127.0.0.1:${port}`;
      const { drain, state, w } = worker(app, url, store);
      await state.initialize(drain.id, await store.info(app));
      w.start();
      try {
        await store.append(app, lines('up', 100));
        await eventually(() => receiver.bodies().filter((b) => b.startsWith('up ')).length === 100, 'the first lines', 15_000);
        assert.match(receiver.messages[0]!, new RegExp(`^<190>1 \\S+ ${app} app web\\.1 - - up 0$`));

        await receiver.stop();
        await new Promise((r) => setTimeout(r, 300));
        await store.append(app, lines('down', 200));
        await new Promise((r) => setTimeout(r, 3000)); // down for a few seconds
        assert.equal((await state.get(drain.id))?.status, 'retrying');
        await receiver.start();
        await store.append(app, lines('back', 50));
        await eventually(() => {
          const got = new Set(receiver.bodies());
          return [...lines('up', 100), ...lines('down', 200), ...lines('back', 50)].every((l) => got.has(l.line));
        }, 'every line', 15_000);
        assert.ok(!receiver.bodies().some((b) => b.startsWith('before the drain')), 'a new drain starts at the end of the stream');
        // The receiver has the lines before the worker hears its answer and records the delivery.
        await eventually(async () => ((await state.get(drain.id))?.delivered ?? 0) >= 350, 'the deliveries recorded', 15_000);
        const s = await state.get(drain.id);
        assert.equal(s?.dropped, 0);
        assert.ok((s?.delivered ?? 0) >= 350);
      } finally {
        await w.stop();
        await receiver.stop();
      }
    });
  }

  test('a drain too far behind drops the oldest lines, counts them and says so in the app log', async () => {
    const app = 'drain-lagging';
    const store = new LogStore(redis, keys, 300);
    const receiver = new SyslogReceiver();
    const port = await receiver.start();
    await receiver.stop(); // down from the start
    const { drain, state, w } = worker(app, `syslog://127.0.0.1:${port}`, store, 200);
    await state.initialize(drain.id, await store.info(app));
    w.start();
    try {
      for (let i = 0; i < 10; i++) await store.append(app, lines(`burst${i}`, 100));
      await new Promise((r) => setTimeout(r, 1500));
      await receiver.start();
      await eventually(() => receiver.bodies().includes('burst9 99'), 'the newest lines', 15_000);
      await eventually(() => receiver.bodies().some((b) => /Error L10/.test(b)), 'the report', 15_000);
      const s = (await state.get(drain.id))!;
      assert.ok(s.dropped >= 800 && s.dropped <= 1000 - 100, `dropped ${s.dropped}`);
      const delivered = receiver.bodies().filter((b) => b.startsWith('burst'));
      assert.equal(delivered.length + s.dropped, 1000, 'every line was delivered or counted as dropped');
      const report = receiver.bodies().find((b) => /Error L10/.test(b))!;
      assert.match(report, new RegExp(`drain ${drain.token} dropped ${s.dropped} lines`));
      const history = await store.history(app, 50, { source: 'platform' });
      assert.ok(history.entries.some((e) => /Error L10 \(output buffer overflow\)/.test(e.line)));
    } finally {
      await w.stop();
      await receiver.stop();
    }
  });
});

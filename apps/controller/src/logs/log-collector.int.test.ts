// The log collector against the real Docker engine: a container's stdout and stderr reach its app's
// stream as Heroku lines; a 1 MB line and binary output are split and escaped and the stream keeps
// going; a new collector (a controller restart) resumes without losing or repeating a line; crashes
// become platform lines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { RedisKeys, createLogger, type StoredLogEntry } from '@paas/shared';
import type { HostRow } from '../db/hosts.js';
import { EngineClients } from './engine-clients.js';
import { LogRateLimit } from './log-rate-limit.js';
import { LogCollector } from './log-collector.js';
import { LogStore } from './log-store.js';
import { PlatformEvents } from './platform-events.js';
import { eventually, testRedisUrl } from '@paas/test-kit';

/** How long and how often the waits below poll. */
const wait = { timeoutMs: 30_000, intervalMs: 100 };

const log = createLogger('test', 'silent');
const image = 'paas/run:bookworm';

describe('log collector (real Docker)', { timeout: 180_000 }, () => {
  const docker = new Docker();
  const cluster = `logtest-${randomBytes(3).toString('hex')}`;
  let redis: Redis;
  let keys: RedisKeys;
  let store: LogStore;
  const host: HostRow = {
    id: '00000000-0000-4000-8000-000000000000',
    name: 'local',
    docker_url: 'unix:///var/run/docker.sock',
    address: '127.0.0.1',
    capacity_memory_mb: null,
    labels: {},
    tls: null,
    status: 'up',
    draining: false,
    last_seen_at: null,
    last_error: null,
    created_at: new Date(),
    provision: null,
  };

  const collector = (onAbandoned?: (app: string, process: string) => void, rateLimit?: LogRateLimit) =>
    new LogCollector({
      ...(onAbandoned ? { onAbandoned } : {}),
      ...(rateLimit ? { rateLimit } : {}),
      hosts: () => [host],
      engines: new EngineClients(),
      cluster,
      store,
      events: new PlatformEvents(store, log),
      redis,
      keys,
      log,
      scanIntervalMs: 500,
    });

  async function run(app: string, process: string, script: string, restart = false): Promise<Docker.Container> {
    const c = await docker.createContainer({
      Image: image,
      Cmd: [script],
      Labels: { 'paas.cluster': cluster, 'paas.role': 'process', 'paas.app': app, 'paas.process': process, 'paas.command': script.slice(0, 40) },
      HostConfig: { RestartPolicy: restart ? { Name: 'always' } : { Name: 'no' }, LogConfig: { Type: 'json-file', Config: {} } },
    });
    await c.start();
    return c;
  }

  const entries = async (app: string, source?: 'app' | 'platform'): Promise<StoredLogEntry[]> =>
    (await store.history(app, 100_000, { source })).entries;

  before(async () => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    keys = new RedisKeys(`paas-test-${cluster}`);
    store = new LogStore(redis, keys, 100_000);
  });
  after(async () => {
    for (const c of await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } })) {
      await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
    }
    for (const n of await docker.listNetworks({ filters: { label: [`paas.cluster=${cluster}`] } })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
    const left = await redis.keys(`${keys.prefix}:*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
  });

  test('a process flooding its output is held to its rate with a notice; another app loses nothing', async () => {
    const c = collector(undefined, new LogRateLimit({ linesPerSecond: 1000 }));
    c.start();
    try {
      // 60,000 lines as fast as the container writes them (far over 20,000 a second), then a marker.
      await run('flooder', 'web.1', 'seq 1 60000; sleep 2; echo flood-done');
      await run('quiet', 'web.1', 'for i in $(seq 1 50); do echo quiet $i; done; sleep 2; echo quiet-done');
      await eventually(async () => (await entries('flooder')).some((e) => e.line === 'flood-done') && (await entries('quiet')).some((e) => e.line === 'quiet-done'), 'both ends', wait);
      const flood = await entries('flooder');
      const appLines = flood.filter((e) => e.source === 'app').length;
      assert.ok(appLines < 10_000, `${appLines} of 60,001 lines stored`);
      assert.ok(flood.some((e) => e.source === 'platform' && /^Error L10 \(output buffer overflow\): \d+ lines of web\.1 dropped/.test(e.line)), 'a notice of the drops');
      const quiet = (await entries('quiet', 'app')).map((e) => e.line);
      assert.deepEqual(quiet, [...Array.from({ length: 50 }, (_, i) => `quiet ${i + 1}`), 'quiet-done']);
    } finally {
      await c.stop();
    }
  });

  test('stdout and stderr become app lines; a 1 MB line and binary output are split and escaped and the stream goes on', async () => {
    const c = collector();
    c.start();
    try {
      await run(
        'big',
        'web.1',
        [
          'echo hello from web',
          'echo oops >&2',
          "head -c 1048576 /dev/zero | tr '\\0' x; echo",
          'head -c 2000 /dev/urandom; echo',
          'echo after the flood',
          'sleep 1; echo later',
        ].join('; '),
      );
      await eventually(async () => (await entries('big')).some((e) => e.line === 'later'), 'the last line', wait);
      const got = await entries('big', 'app');
      const texts = got.map((e) => e.line);
      assert.ok(texts.includes('hello from web'));
      assert.ok(texts.includes('oops'));
      assert.ok(got.every((e) => e.source === 'app' && e.process === 'web.1'));
      const pieces = texts.filter((t) => /^x+$/.test(t));
      assert.equal(pieces.join('').length, 1024 * 1024, 'the 1 MB line arrives whole, in pieces');
      assert.ok(pieces.every((p) => p.length <= 8192), 'each piece is at most 8 KiB');
      const afterFlood = texts.indexOf('after the flood');
      assert.ok(afterFlood > 0, 'lines after the flood still come through');
      for (const t of texts) assert.doesNotMatch(t, /[\x00-\x08\x0a-\x1a\x1c-\x1f]/, 'binary output is escaped');
      assert.ok(texts.some((t) => /\\x[0-9a-f]{2}|\uFFFD/.test(t)), 'the binary line is there, escaped');
      assert.ok(got.every((e) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/.test(e.ts)), 'each line carries the engine timestamp');
    } finally {
      await c.stop();
    }
  });

  test('a new collector (after a controller restart) resumes where the old one stopped: no line lost or repeated', async () => {
    let c = collector();
    c.start();
    try {
      await run('resume', 'worker.1', 'i=0; while [ $i -lt 400 ]; do echo "tick $i"; i=$((i+1)); sleep 0.01; done');
      await eventually(async () => (await entries('resume')).length > 20, 'some ticks', wait);
      await c.stop();
      await new Promise((r) => setTimeout(r, 1500)); // ticks keep coming while no one collects
      c = collector();
      c.start();
      await eventually(async () => (await entries('resume')).some((e) => e.line === 'tick 399'), 'the last tick', wait);
      const ticks = (await entries('resume', 'app')).map((e) => e.line);
      assert.deepEqual(ticks, Array.from({ length: 400 }, (_, i) => `tick ${i}`));
    } finally {
      await c.stop();
    }
  });

  test('a crash and the engine restarting the process become platform lines', async () => {
    const c = collector();
    c.start();
    try {
      await new Promise((r) => setTimeout(r, 500)); // the events stream is open
      const container = await run('crashy', 'web.1', 'echo booting; sleep 1; exit 3', true);
      await eventually(async () => {
        const platform = (await entries('crashy')).filter((e) => e.source === 'platform').map((e) => e.line);
        return platform.some((l) => /State changed from crashed to starting/.test(l));
      }, 'the crash and the restart', wait);
      const platform = (await entries('crashy')).filter((e) => e.source === 'platform');
      const lines = platform.map((e) => e.line);
      assert.ok(lines.some((l) => /^Starting process with command `echo booting/.test(l)), lines.join('\n'));
      assert.ok(lines.includes('Process exited with status 3'));
      assert.ok(lines.includes('State changed from up to crashed'));
      assert.ok(platform.every((e) => e.process === 'web.1'));
      assert.ok((await entries('crashy')).filter((e) => e.line === 'booting').length >= 2, 'output of each run is collected');
      await container.update({ RestartPolicy: { Name: 'no' } });
      await container.stop({ t: 0 }).catch(() => {});
    } finally {
      await c.stop();
    }
  });

  test('a process killed from outside is reported abandoned; one the engine restarts after a crash is not', async () => {
    const abandoned: string[] = [];
    const c = collector((app, process) => abandoned.push(`${app}/${process}`));
    c.start();
    try {
      await new Promise((r) => setTimeout(r, 500)); // the events stream is open
      const crashing = await run('loopy', 'web.1', 'echo booting; sleep 1; exit 3', true);
      await eventually(async () => (await entries('loopy', 'platform')).some((e) => /State changed from crashed to starting/.test(e.line)), 'a restart', wait);
      const killed = await run('killed', 'web.1', 'echo up; sleep 300', true);
      await eventually(async () => (await entries('killed', 'platform')).some((e) => /^Starting process/.test(e.line)), 'the start', wait);
      await killed.kill();
      await eventually(async () => abandoned.length > 0, 'the kill reported', wait);
      assert.deepEqual(abandoned, ['killed/web.1']);
      await crashing.update({ RestartPolicy: { Name: 'no' } });
      await crashing.stop({ t: 0 }).catch(() => {});
    } finally {
      await c.stop();
    }
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { PlatformStatusBoard, RedisKeys, SupervisorBeacon, createLogger, readSupervisorStatus } from './index.js';
import { testRedisUrl } from '@paas/test-kit';

const file = {
  pid: process.pid,
  host: 'node-7',
  version: '1.2.3',
  startedAt: '2026-01-01T00:00:00Z',
  state: 'running',
  components: [{ name: 'builder', state: 'backoff', pid: null, restarts: 4, version: '1.2.3', startedAt: '2026-01-01T00:00:01Z', nextStartAt: '2026-01-01T00:10:30Z', lastExit: { code: 1, signal: null, at: '2026-01-01T00:10:00Z', uptimeMs: 20 } }],
};

/** A host's supervisor state reaches the board in Redis, where any controller reads every host's. */
test("a host's supervisor state is published to the board and read back with every host's", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'paas-board-'));
  const redis = new Redis(testRedisUrl());
  const keys = new RedisKeys(`paas-test-board-${randomBytes(4).toString('hex')}`);
  try {
    const stateFile = join(dir, 'supervisor.json');
    await writeFile(stateFile, JSON.stringify(file));
    const local = await readSupervisorStatus(stateFile, { now: Date.parse('2026-01-01T00:10:00Z') });
    assert.deepEqual(local?.components.map((c) => [c.name, c.host, c.state, c.restarts, c.uptime_seconds]), [
      ['supervisor', 'node-7', 'running', 0, 600],
      ['builder', 'node-7', 'backoff', 4, null],
    ]);

    const board = new PlatformStatusBoard(redis, keys);
    await new SupervisorBeacon({ board, stateFile, log: createLogger('test', 'silent') }).publishOnce();
    await board.publish('node-1', []);
    const hosts = await board.list();
    assert.deepEqual(hosts.map((h) => h.host), ['node-1', 'node-7']);
    assert.deepEqual(hosts[1]!.components.map((c) => [c.name, c.state, c.restarts]), [
      ['supervisor', 'running', 0],
      ['builder', 'backoff', 4],
    ]);
    assert.equal(await readSupervisorStatus(join(dir, 'missing.json')), undefined);
  } finally {
    await redis.del(keys.platformStatus);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
});

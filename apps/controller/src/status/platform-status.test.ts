import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlatformStatusBoard } from '@paas/shared';
import { PlatformStatus } from './platform-status.js';

const now = Date.parse('2026-01-01T00:10:00Z');
const file = {
  pid: 100,
  host: 'node-1',
  version: '1.2.3',
  startedAt: '2026-01-01T00:00:00Z',
  state: 'running',
  components: [
    { name: 'controller', state: 'running', pid: 101, restarts: 2, version: '1.2.3', startedAt: '2026-01-01T00:09:00Z', lastExit: { code: null, signal: 'SIGKILL', at: '2026-01-01T00:08:59Z', uptimeMs: 5000 } },
    { name: 'builder', state: 'backoff', pid: null, restarts: 5, version: '1.2.3', startedAt: '2026-01-01T00:05:00Z', nextStartAt: '2026-01-01T00:10:30Z', lastExit: { code: 1, signal: null, at: '2026-01-01T00:09:59Z', uptimeMs: 100 } },
  ],
};

async function withFile(content: string | undefined, fn: (stateFile: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'paas-status-'));
  try {
    const stateFile = join(dir, 'supervisor.json');
    if (content !== undefined) await writeFile(stateFile, content);
    await fn(stateFile);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('reads each component from the supervisor: state, restarts, uptime, a crash loop in backoff', async () => {
  await withFile(JSON.stringify(file), async (stateFile) => {
    const status = new PlatformStatus({ stateFile, version: '9.9.9', now: () => now, alive: (pid) => pid === 100 });
    const c = await status.components();
    assert.deepEqual(c.map((x) => [x.name, x.state, x.pid, x.restarts, x.uptime_seconds]), [
      ['supervisor', 'running', 100, 0, 600],
      ['controller', 'running', 101, 2, 60],
      ['builder', 'backoff', null, 5, null],
    ]);
    assert.equal(c[1]!.host, 'node-1');
    assert.equal(c[1]!.version, '1.2.3');
    assert.deepEqual(c[1]!.last_exit, { code: null, signal: 'SIGKILL', at: '2026-01-01T00:08:59Z', uptime_ms: 5000 });
    assert.equal(c[2]!.next_start_at, '2026-01-01T00:10:30Z');
  });
});

test('without a supervisor (no state file, or its pid gone) the controller reports itself', async () => {
  const startedAt = new Date(now - 42_000);
  await withFile(undefined, async (stateFile) => {
    const status = new PlatformStatus({ stateFile, version: '9.9.9', pid: 7, startedAt, host: 'h', now: () => now });
    assert.deepEqual(await status.components(), [
      { name: 'controller', host: 'h', state: 'unsupervised', pid: 7, restarts: 0, version: '9.9.9', started_at: startedAt.toISOString(), uptime_seconds: 42, next_start_at: null, last_exit: null },
    ]);
  });
  await withFile(JSON.stringify(file), async (stateFile) => {
    const status = new PlatformStatus({ stateFile, version: '9.9.9', pid: 7, startedAt, host: 'h', now: () => now, alive: () => false });
    const c = await status.components();
    assert.deepEqual(c.map((x) => [x.name, x.state]), [['supervisor', 'stopped'], ['controller', 'unsupervised']]);
  });
  await withFile('{not json', async (stateFile) => {
    const status = new PlatformStatus({ stateFile, version: '9.9.9', now: () => now });
    assert.deepEqual((await status.components()).map((x) => x.state), ['unsupervised']);
  });
});

test("other hosts' processes come from the board; a silent host's show as unknown; this host's are read here", async () => {
  const remote = (host: string, seenAt: string) => ({
    host,
    seenAt,
    components: [
      { name: 'builder', host, state: 'running', pid: 9, restarts: 1, version: '1.2.3', started_at: '2026-01-01T00:09:30Z', uptime_seconds: 0, next_start_at: null, last_exit: null },
    ],
  });
  const board = {
    list: async () => [remote('node-1', '2026-01-01T00:09:55Z'), remote('node-2', '2026-01-01T00:09:55Z'), remote('node-3', '2026-01-01T00:05:00Z')],
  } as unknown as PlatformStatusBoard;
  await withFile(JSON.stringify(file), async (stateFile) => {
    const status = new PlatformStatus({ stateFile, version: '9.9.9', board, now: () => now, alive: (pid) => pid === 100 });
    const c = await status.components();
    assert.deepEqual(c.map((x) => [x.host, x.name, x.state, x.uptime_seconds]), [
      ['node-1', 'supervisor', 'running', 600],
      ['node-1', 'controller', 'running', 60],
      ['node-1', 'builder', 'backoff', null],
      ['node-2', 'builder', 'running', 30],
      ['node-3', 'builder', 'unknown', null],
    ]);
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@paas/shared';
import { MemoryRuntimeBackend } from '../runtime/memory-runtime-backend.js';
import type { PlatformEventSink } from '../logs/platform-events.js';
import type { ProcessSpec, RuntimeBackend } from '../runtime/runtime-backend.js';
import { DiskWatch } from './disk-watch.js';

const MB = 1024 * 1024;
const spec = (app: string, index = 1): ProcessSpec => ({ app, release: 1, type: 'web', index, image: 'img', command: 'serve', env: {}, port: 5000, publish: true });

function setup(limitBytes = 100 * MB) {
  const runtime = new MemoryRuntimeBackend({ callTimeoutMs: 200 });
  const said: { app: string; line: string; process?: string }[] = [];
  const events = { say: async (app: string, line: string, process?: string) => void said.push({ app, line, process }) } as unknown as PlatformEventSink;
  const watch = new DiskWatch({ runtime, events, limitBytes, stopGraceSeconds: 0, log: createLogger('test', 'silent') });
  return { runtime, said, watch };
}

describe('DiskWatch', () => {
  test('stops only the processes over the limit and tells their app why', async () => {
    const { runtime, said, watch } = setup();
    const filler = await runtime.start(spec('filler'));
    const neighbour = await runtime.start(spec('quiet'));
    runtime.write(filler.id, 150 * MB);
    runtime.write(neighbour.id, 100 * MB); // at the limit is not over it
    const over = await watch.runOnce();
    assert.deepEqual(over.map((p) => p.id), [filler.id]);
    assert.deepEqual((await runtime.list()).map((p) => p.id), [neighbour.id]);
    assert.deepEqual(said, [
      {
        app: 'filler',
        process: 'web.1',
        line: 'Disk quota exceeded: web.1 wrote 150 MB to its filesystem (limit 100 MB); stopping it, it restarts with a fresh filesystem (keep data in a volume)',
      },
    ]);
  });

  test('a limit of 0 turns it off', async () => {
    const { runtime, said, watch } = setup(0);
    const p = await runtime.start(spec('filler'));
    runtime.write(p.id, 10_000 * MB);
    assert.equal(watch.enabled, false);
    assert.deepEqual(await watch.runOnce(), []);
    assert.equal((await runtime.list()).length, 1);
    assert.deepEqual(said, []);
  });

  test('an engine that does not answer skips the pass without throwing', async () => {
    const { runtime, watch } = setup();
    const p = await runtime.start(spec('filler'));
    runtime.write(p.id, 500 * MB);
    runtime.stall();
    assert.deepEqual(await watch.runOnce(), []);
  });

  test('a runtime that cannot measure disk use is left alone', async () => {
    const runtime = { hostName: 'x' } as unknown as RuntimeBackend;
    const events = { say: async () => assert.fail('nothing to say') } as unknown as PlatformEventSink;
    const watch = new DiskWatch({ runtime, events, limitBytes: MB, stopGraceSeconds: 0, log: createLogger('test', 'silent') });
    assert.equal(watch.enabled, false);
    assert.deepEqual(await watch.runOnce(), []);
  });
});

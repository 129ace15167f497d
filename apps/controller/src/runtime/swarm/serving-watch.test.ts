import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@paas/shared';
import { MemoryRuntimeBackend } from '../memory-runtime-backend.js';
import { ServingWatch } from './serving-watch.js';

const spec = (app: string, type: string, index: number) => ({ app, release: 1, type, index, image: 'img', command: 'x', env: {}, port: 5000, publish: type === 'web' });

test('an app whose web processes change is reported once per change; other processes and other apps are not', async () => {
  const runtime = new MemoryRuntimeBackend();
  const watch = new ServingWatch({ runtime, intervalMs: 1000, log: createLogger('test', 'silent') });
  const changed: string[] = [];
  const tick = async (): Promise<string[]> => {
    changed.length = 0;
    await watch.tick((app) => changed.push(app));
    return [...changed].sort();
  };
  const a1 = await runtime.start(spec('a', 'web', 1));
  await runtime.start(spec('b', 'web', 1));
  assert.deepEqual(await tick(), ['a', 'b']);
  assert.deepEqual(await tick(), []);
  await runtime.start(spec('a', 'worker', 1));
  assert.deepEqual(await tick(), [], 'a worker does not serve');
  await runtime.start(spec('a', 'web', 2));
  assert.deepEqual(await tick(), ['a']);
  await runtime.stop(a1.id, 0);
  assert.deepEqual(await tick(), ['a']);
  await runtime.removeAppResources('b');
  for (const p of await runtime.list({ app: 'b' })) await runtime.stop(p.id, 0);
  assert.deepEqual(await tick(), ['b'], 'an app gone is a change too');
});

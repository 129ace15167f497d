import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import Docker from 'dockerode';
import { BuilderMetrics } from './builder-metrics.js';
import { createHealthServer } from './health.js';
import { testRedisUrl } from '@paas/test-kit';

test('counts builds by outcome, times them, and serves them on the health port', async () => {
  const metrics = new BuilderMetrics();
  const worker = new EventEmitter();
  metrics.watch(worker as unknown as Worker);
  worker.emit('active', { id: 'a' });
  worker.emit('active', { id: 'b' });
  worker.emit('active', { id: 'c' });
  worker.emit('completed', { id: 'a' });
  worker.emit('failed', { id: 'b' }, new Error('no buildpack'));
  worker.emit('failed', undefined, new Error('stalled'));

  const redis = new Redis(testRedisUrl());
  const server = createHealthServer(redis, new Docker(), metrics);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.match(text, /^paas_builds_total\{outcome="succeeded"\} 1$/m);
    assert.match(text, /^paas_builds_total\{outcome="failed"\} 1$/m);
    assert.match(text, /^paas_builds_active 1$/m);
    assert.match(text, /^paas_build_duration_seconds_count\{outcome="succeeded"\} 1$/m);
    assert.match(text, /^paas_builder_process_resident_memory_bytes \d+/m);
  } finally {
    server.close();
    redis.disconnect();
  }
});

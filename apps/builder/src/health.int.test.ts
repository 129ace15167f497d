import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import Docker from 'dockerode';
import { createHealthServer } from './health.js';
import { testRedisUrl } from '@paas/test-kit';

async function get(redis: Redis, path: string): Promise<{ status: number; body: unknown }> {
  const server = createHealthServer(redis, new Docker());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
    return { status: res.status, body: await res.json() };
  } finally {
    server.close();
  }
}

test('GET /healthz is 200 ok when Redis and Docker answer', async () => {
  const redis = new Redis(testRedisUrl());
  try {
    assert.deepEqual(await get(redis, '/healthz'), { status: 200, body: { status: 'ok' } });
    assert.equal((await get(redis, '/other')).status, 404);
  } finally {
    redis.disconnect();
  }
});

test('GET /healthz is 503 naming Redis when it does not answer', async () => {
  // a port nothing listens on; the client gives up on each command at once
  const redis = new Redis({ port: 1, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    const { status, body } = await get(redis, '/healthz');
    assert.equal(status, 503);
    assert.match(JSON.stringify(body), /redis/);
  } finally {
    redis.disconnect();
  }
});

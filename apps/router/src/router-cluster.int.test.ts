import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys, RedisRouteStore } from '@paas/shared';
import { appRoute, backend, eventually, parsePrometheus } from './test-support.js';
import { json, request, startBackend } from './test-http.js';
import { startChildRouter } from './test-child-router.js';
import { testRedisUrl } from '@paas/test-kit';

test('a clustered router (2 workers): every request right after the acknowledgement reaches the new backend; metrics sum the workers; access lines reach the app’s stream', { timeout: 90_000 }, async () => {
  const prefix = `paas-test-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(testRedisUrl());
  const keys = new RedisKeys(prefix);
  const store = new RedisRouteStore(redis, keys);
  const a = await startBackend('a');
  const b = await startBackend('b');
  await store.set(appRoute('hello', ['hello.paas.test'], [backend(a.port)], 1));
  const router = await startChildRouter(prefix, { PAAS_ROUTER_WORKERS: '2' });
  try {
    assert.equal(await store.waitForAck('hello', 1, 10_000), true);
    let version = 1;
    for (let i = 0; i < 20; i++) {
      const to = i % 2 === 0 ? b : a;
      version++;
      await store.set(appRoute('hello', ['hello.paas.test'], [backend(to.port)], version));
      assert.equal(await store.waitForAck('hello', version, 5000), true, `switch ${i} acknowledged`);
      // Fresh connections: the cluster hands them to either worker; each must serve the new version.
      const replies = await Promise.all([1, 2, 3, 4].map(() => request(router.port, 'hello.paas.test')));
      for (const r of replies) assert.equal(json(r).backend, to.name, `switch ${i}: served by the new backend`);
    }
    const text = (await request(router.port, 'localhost', { path: '/metrics' })).body;
    const samples = parsePrometheus(text);
    const proxied = samples.get('paas_router_requests_total{app="hello",code_class="2xx"}') ?? 0;
    assert.ok(proxied >= 80 && proxied <= 83, `the 80 proxied requests, summed over both workers: ${proxied}`);
    assert.equal(samples.get('paas_router_routes'), 1, 'the table size is the max, not the sum');
    await eventually(async () => (await redis.xlen(keys.appLogs('hello'))) >= 80, 'access lines in the app’s stream', 5000);
    const [newest] = (await redis.xrevrange(keys.appLogs('hello'), '+', '-', 'COUNT', 1)) as [string, string[]][];
    const fields = newest?.[1] ?? [];
    assert.equal(fields[0], 'source');
    assert.equal(fields[1], 'router');
    assert.match(fields[3] ?? '', /^at=info method=GET path="\/" host=hello\.paas\.test /);
  } finally {
    await router.stop();
    await a.close();
    await b.close();
    const left = await redis.keys(`${prefix}:*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
  }
});

test('a worker that dies is replaced, and the router keeps serving', { timeout: 60_000 }, async () => {
  const prefix = `paas-test-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(testRedisUrl());
  const store = new RedisRouteStore(redis, new RedisKeys(prefix));
  const a = await startBackend('a');
  await store.set(appRoute('hello', ['hello.paas.test'], [backend(a.port)], 1));
  const router = await startChildRouter(prefix, { PAAS_ROUTER_WORKERS: '2', LOG_LEVEL: 'info' });
  try {
    // /healthz answers once one worker listens: killing it before the other listens too would leave
    // nobody on the port (a loaded machine starts workers seconds apart).
    await eventually(() => (router.output().match(/"msg":"router listening"/g) ?? []).length >= 2, 'both workers listening', 30_000);
    const { execFileSync } = await import('node:child_process');
    const workers = execFileSync('ps', ['-o', 'pid=', '--ppid', String(router.child.pid)], { encoding: 'utf8' }).split('\n').map((s) => s.trim()).filter(Boolean);
    assert.equal(workers.length, 2);
    process.kill(Number(workers[0]), 'SIGKILL');
    // (A connection node:cluster's primary was handing to the worker as it died is lost with it.)
    await eventually(
      () => {
        const now = execFileSync('ps', ['-o', 'pid=', '--ppid', String(router.child.pid)], { encoding: 'utf8' }).split('\n').map((s) => s.trim()).filter(Boolean);
        return now.length === 2 && !now.includes(workers[0]!);
      },
      'a replacement worker',
      10_000,
    );
    for (let i = 0; i < 10; i++) assert.equal((await request(router.port, 'hello.paas.test', { timeoutMs: 5000 })).status, 200, `request ${i}`);
    await store.set(appRoute('hello', ['hello.paas.test'], [backend(a.port)], 2));
    assert.equal(await store.waitForAck('hello', 2, 30_000), true, 'acknowledged by the new set of workers (once the replacement has synced)');
  } finally {
    await router.stop();
    await a.close();
    const left = await redis.keys(`${prefix}:*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
  }
});

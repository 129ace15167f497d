import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { MemoryRouteStore } from '@paas/shared';
import type { AccessEntry, AccessLogSink } from './access-log.js';
import { appRoute, backend, eventually, parsePrometheus } from './test-support.js';
import { json, request, startBackend, startRouter } from './test-http.js';
import { freePort } from '@paas/test-kit';

/** Sends raw bytes and resolves with what comes back until the router closes the connection. */
function raw(port: number, data: string | Buffer, keepWriting?: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('error', () => resolve(text));
    socket.on('close', () => resolve(text));
    socket.write(data);
    if (keepWriting) {
      const pump = (): void => {
        while (!socket.destroyed && socket.write(keepWriting));
      };
      socket.on('drain', pump);
      pump();
    }
  });
}

test('bodies over the limit get a 413: a declared length at once, a chunked body when it crosses; apps may set their own', async () => {
  const echo = await startBackend('echo', (req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => res.end(JSON.stringify({ received: n })));
  });
  const store = new MemoryRouteStore();
  await store.set(appRoute('small', ['small.localhost'], [backend(echo.port)]));
  await store.set({ ...appRoute('big', ['big.localhost'], [backend(echo.port)]), maxBodyMb: 2 });
  const router = await startRouter(store, { maxBodyMb: 1 });
  try {
    const declared = await raw(router.port, 'POST / HTTP/1.1\r\nHost: small.localhost\r\nContent-Length: 2000000\r\nAccept: application/json\r\n\r\n');
    assert.match(declared, /^HTTP\/1\.1 413 /);
    assert.match(declared, /"id":"body_too_large"/);
    assert.match(declared, /connection: close/i);
    assert.equal(echo.seen.length, 0, 'the backend never saw it');

    const chunk = Buffer.alloc(64 * 1024, 'x');
    const chunkedHead = 'POST / HTTP/1.1\r\nHost: small.localhost\r\nTransfer-Encoding: chunked\r\n\r\n';
    const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    const chunked = await raw(router.port, chunkedHead, framed);
    assert.match(chunked, /^HTTP\/1\.1 413 /);

    const ok = await request(router.port, 'small.localhost', { method: 'POST', body: 'x'.repeat(1000) });
    assert.deepEqual(json(ok), { received: 1000 });
    const allowed = await request(router.port, 'big.localhost', { method: 'POST', body: 'x'.repeat(1_500_000) });
    assert.deepEqual(json(allowed), { received: 1_500_000 }, 'the app’s own limit (2 MB) applies');
  } finally {
    await router.close();
    await echo.close();
  }
});

test('request heads over the limit get a 431 page', async () => {
  const store = new MemoryRouteStore();
  const app = await startBackend('app');
  await store.set(appRoute('hello', ['hello.localhost'], [backend(app.port)]));
  const router = await startRouter(store, { maxHeaderBytes: 4096 });
  try {
    const reply = await raw(router.port, `GET / HTTP/1.1\r\nHost: hello.localhost\r\nCookie: ${'c'.repeat(8000)}\r\n\r\n`);
    assert.match(reply, /^HTTP\/1\.1 431 /);
    assert.match(reply, /Request headers too large/);
    assert.equal((await request(router.port, 'hello.localhost', { headers: { cookie: 'c'.repeat(1000) } })).status, 200);
  } finally {
    await router.close();
    await app.close();
  }
});

test('a backend that keeps refusing connections is ejected: requests stop trying it until the cool-down ends', async () => {
  const live = await startBackend('live');
  const deadPort = await freePort();
  const store = new MemoryRouteStore();
  await store.set(appRoute('hello', ['hello.localhost'], [backend(deadPort, 1), backend(live.port, 2)]));
  const router = await startRouter(store, { ejectAfter: 2, ejectMs: 60_000 });
  try {
    for (let i = 0; i < 10; i++) assert.equal((await request(router.port, 'hello.localhost')).status, 200, 'retried on the live one');
    const dead = router.instance.states.get(backend(deadPort, 1));
    assert.equal(dead.failures, 2, 'tried twice, then left out');
    assert.equal(router.instance.states.available(backend(deadPort, 1)), false);
    const metrics = (await request(router.port, 'localhost', { path: '/metrics' })).body;
    assert.match(metrics, /^paas_router_backends_ejected 1$/m);
  } finally {
    await router.close();
    await live.close();
  }
});

test('draining: a slow request in flight finishes after its backend leaves the route; new ones go to the new backend', async () => {
  let release: () => void = () => {};
  const slowGate = new Promise<void>((r) => (release = r));
  const old = await startBackend('old', (req, res) => {
    if (req.url === '/slow') void slowGate.then(() => res.end('slow done'));
    else res.end('old');
  });
  const next = await startBackend('next', (_req, res) => res.end('next'));
  const store = new MemoryRouteStore();
  await store.set(appRoute('hello', ['hello.localhost'], [backend(old.port)], 1));
  const router = await startRouter(store);
  try {
    const slow = request(router.port, 'hello.localhost', { path: '/slow' });
    await eventually(() => old.seen.length === 1, 'the slow request to reach the old backend');
    await store.set(appRoute('hello', ['hello.localhost'], [backend(next.port)], 2));
    await eventually(() => router.table.lookup('hello.localhost')?.version === 2, 'the switch');
    assert.equal((await request(router.port, 'hello.localhost')).body, 'next');
    await new Promise((r) => setTimeout(r, 50)); // the old backend's pool is closing meanwhile
    release();
    const done = await slow;
    assert.equal(done.status, 200);
    assert.equal(done.body, 'slow done');
  } finally {
    await router.close();
    await old.close();
    await next.close();
  }
});

test('each request makes one access line; /metrics counts requests by class in Prometheus text', async () => {
  const lines: AccessEntry[] = [];
  const sink: AccessLogSink = { write: (e) => lines.push(e), close: async () => {} };
  const app = await startBackend('app', (req, res) => {
    res.statusCode = req.url === '/missing' ? 404 : 200;
    res.end('x');
  });
  const store = new MemoryRouteStore();
  await store.set(appRoute('hello', ['hello.localhost'], [backend(app.port)]));
  const router = await startRouter(store, { accessLog: sink });
  try {
    await request(router.port, 'hello.localhost', { path: '/' });
    await request(router.port, 'hello.localhost', { path: '/missing' });
    await request(router.port, 'nobody.localhost');
    await eventually(() => lines.length === 3, 'three lines');
    assert.match(lines[0]!.line, /^at=info method=GET path="\/" host=hello\.localhost request_id=\S+ fwd="127\.0\.0\.1" dyno=web\.1 connect=\d+ms service=\d+ms status=200 bytes=1 protocol=http$/);
    assert.equal(lines[0]!.app, 'hello');
    assert.match(lines[1]!.line, /status=404/);
    assert.match(lines[2]!.line, /^at=error code=app_not_found desc="No such app" .* status=404 /);
    assert.equal(lines[2]!.app, undefined);

    const res = await request(router.port, 'localhost', { path: '/metrics' });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    const samples = parsePrometheus(res.body);
    assert.equal(samples.get('paas_router_requests_total{app="hello",code_class="2xx"}'), 1);
    assert.equal(samples.get('paas_router_requests_total{app="hello",code_class="4xx"}'), 1);
    assert.equal(samples.get('paas_router_requests_total{app="_none",code_class="4xx"}'), 1, 'the unknown host: no app');
    assert.equal(samples.get('paas_router_upstream_latency_seconds_count{app="hello"}'), 2);
    assert.equal(samples.get('paas_router_routes'), 1);
    assert.ok((samples.get('paas_router_active_connections') ?? -1) >= 1, 'this request’s connection');
    assert.equal((await request(router.port, 'hello.localhost', { path: '/metrics' })).body, 'x', 'an app’s /metrics is the app’s');
  } finally {
    await router.close();
    await app.close();
  }
});

test('client connections to a dead app close cleanly when the client gives up (no leak of in-flight counts)', async () => {
  const hang = await startBackend('hang', () => {});
  const store = new MemoryRouteStore();
  await store.set(appRoute('hello', ['hello.localhost'], [backend(hang.port)]));
  const router = await startRouter(store, { balance: 'least-connections' });
  try {
    const req = http.request({ host: '127.0.0.1', port: router.port, headers: { host: 'hello.localhost' }, agent: false });
    req.on('error', () => {});
    req.end();
    await eventually(() => hang.seen.length === 1, 'the request to arrive');
    assert.equal(router.instance.states.get(backend(hang.port)).active, 1);
    req.destroy();
    await eventually(() => router.instance.states.get(backend(hang.port)).active === 0, 'the count to drop');
  } finally {
    await router.close();
    await hang.close();
  }
});

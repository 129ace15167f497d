import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { MemoryRouteStore } from '@paas/shared';
import { appRoute, backend, eventually } from './test-support.js';
import { json, request, startBackend, startRouter, type TestBackend } from './test-http.js';
import { freePort } from '@paas/test-kit';

async function withApp(
  backends: (TestBackend | number)[],
  run: (port: number) => Promise<void>,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const store = new MemoryRouteStore();
  const ports = backends.map((b) => (typeof b === 'number' ? b : b.port));
  await store.set(appRoute('hello', ['hello.localhost'], ports.map((p, i) => backend(p, i + 1))));
  const router = await startRouter(store, options);
  try {
    await run(router.port);
  } finally {
    await router.close();
    for (const b of backends) if (typeof b !== 'number') await b.close();
  }
}

test('requests take turns across the backends', async () => {
  const a = await startBackend('a');
  const b = await startBackend('b');
  await withApp([a, b], async (port) => {
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push(json(await request(port, 'hello.localhost')).backend);
    assert.deepEqual(seen, ['a', 'b', 'a', 'b', 'a', 'b']);
  });
});

test('a backend whose port is closed is skipped: the request is retried on another', async () => {
  const live = await startBackend('live');
  const dead = await freePort();
  await withApp([dead, live], async (port) => {
    for (let i = 0; i < 4; i++) {
      const reply = await request(port, 'hello.localhost', { method: i % 2 ? 'POST' : 'GET', body: i % 2 ? 'payload' : undefined });
      assert.equal(reply.status, 200);
      assert.equal(json(reply).backend, 'live');
    }
    assert.equal(live.seen.length, 4);
  });
});

test('when no backend accepts the connection the client gets a 502 "app not responding"', async () => {
  await withApp([await freePort(), await freePort()], async (port) => {
    const reply = await request(port, 'hello.localhost');
    assert.equal(reply.status, 502);
    assert.match(reply.body, /App not responding/);
    assert.ok(reply.body.includes(String(reply.headers['x-request-id'])));
  });
});

test('a backend that does not start its response in time gets a 504', async () => {
  const slow = await startBackend('slow', () => {
    /* never answers */
  });
  await withApp(
    [slow],
    async (port) => {
      const reply = await request(port, 'hello.localhost', { headers: { accept: 'application/json' } });
      assert.equal(reply.status, 504);
      assert.equal(json(reply).id, 'app_timeout');
    },
    { timeoutMs: 150 },
  );
});

test('X-Forwarded-* and X-Request-Id reach the backend; Host passes through', async () => {
  const echo = await startBackend('echo');
  await withApp([echo], async (port) => {
    const first = await request(port, 'hello.localhost:8080', { headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' } });
    const h = json(first).headers as Record<string, string>;
    assert.equal(h['host'], 'hello.localhost:8080');
    assert.equal(h['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-forwarded-port'], '8080');
    assert.match(h['x-request-id'] ?? '', /^[0-9a-f-]{36}$/, 'generated');
    assert.equal(first.headers['x-request-id'], h['x-request-id'], 'the client sees the same id');

    const second = await request(port, 'hello.localhost', { headers: { 'x-request-id': 'abcdefghij0123456789-kept' } });
    const h2 = json(second).headers as Record<string, string>;
    assert.equal(h2['x-forwarded-for'], '127.0.0.1');
    assert.equal(h2['x-forwarded-port'], '80');
    assert.equal(h2['x-request-id'], 'abcdefghij0123456789-kept');
    assert.equal(second.headers['x-request-id'], 'abcdefghij0123456789-kept');

    const third = await request(port, 'hello.localhost', { headers: { 'x-request-id': 'bad id' } });
    assert.notEqual((json(third).headers as Record<string, string>)['x-request-id'], 'bad id');
  });
});

test('hop-by-hop headers are stripped both ways; end-to-end ones pass', async () => {
  const echo = await startBackend('echo', (req, res) => {
    res.setHeader('connection', 'x-backend-private');
    res.setHeader('x-backend-private', 'secret');
    res.setHeader('keep-alive', 'timeout=77');
    res.setHeader('proxy-authenticate', 'Basic');
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.end(JSON.stringify(req.headers));
  });
  await withApp([echo], async (port) => {
    const reply = await request(port, 'hello.localhost', {
      headers: {
        connection: 'keep-alive, x-client-private',
        'x-client-private': 'secret',
        'keep-alive': 'timeout=10',
        'proxy-authorization': 'Basic eDp5',
        te: 'trailers',
        'x-end-to-end': 'kept',
      },
    });
    const seen = JSON.parse(reply.body) as Record<string, string>;
    for (const name of ['x-client-private', 'keep-alive', 'proxy-authorization', 'te']) assert.equal(seen[name], undefined, name);
    assert.notEqual(seen['connection'], 'keep-alive, x-client-private');
    assert.equal(seen['x-end-to-end'], 'kept');
    for (const name of ['x-backend-private', 'proxy-authenticate']) assert.equal(reply.headers[name], undefined, name);
    assert.notEqual(reply.headers['keep-alive'], 'timeout=77', 'the router speaks for its own connection');
    assert.deepEqual(reply.headers['set-cookie'], ['a=1', 'b=2']);
  });
});

test('a 20 MB streamed POST is echoed back as it flows, never buffered whole', { timeout: 30_000 }, async () => {
  const size = 20 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) % 251;
  const echo = await startBackend('echo', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    req.pipe(res);
  });
  await withApp([echo], async (port) => {
    const sent = createHash('sha256');
    const received = createHash('sha256');
    let receivedBytes = 0;
    let sentBytes = 0;
    let firstEchoBeforeEnd = false;
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/echo', headers: { host: 'hello.localhost' }, agent: false }, (res) => {
        assert.equal(res.statusCode, 200);
        res.on('data', (c: Buffer) => {
          if (receivedBytes === 0) {
            firstEchoBeforeEnd = sentBytes < size;
            pump(); // the rest goes only once the first bytes came back through the router
          }
          receivedBytes += c.length;
          received.update(c);
        });
        res.on('end', resolve);
        res.on('error', reject);
      });
      req.on('error', reject);
      const write = (): boolean => {
        sentBytes += chunk.length;
        sent.update(chunk);
        return req.write(chunk);
      };
      const pump = (): void => {
        while (sentBytes < size) if (!write()) return void req.once('drain', pump);
        req.end();
      };
      write(); // one chunk, then wait for its echo: a router that buffered the body would hang here
      req.flushHeaders();
    });
    assert.equal(firstEchoBeforeEnd, true);
    assert.equal(receivedBytes, size);
    assert.equal(received.digest('hex'), sent.digest('hex'));
  });
});

test('a client that leaves before the answer closes the backend connection too', { timeout: 20_000 }, async () => {
  let backendSawClose = false;
  const slow = await startBackend('slow', (req) => {
    req.socket.on('close', () => (backendSawClose = true));
  });
  await withApp([slow], async (port) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', headers: { host: 'hello.localhost' }, agent: false });
    req.on('error', () => {});
    req.end();
    await eventually(() => slow.seen.length === 1, 'the request to reach the backend');
    req.destroy();
    await eventually(() => backendSawClose, 'the backend connection to close');
  });
});

import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import type { BackendClient, BackendClientOptions, BackendControl, BackendHandler, BackendRequest } from './backend-client.js';
import { loadNativeHttp } from './native-http-parser.js';
import { listen } from './test-http.js';
import { freePort } from '@paas/test-kit';
import { testCodec } from './test-support.js';

// The codec PAAS_ROUTER_PARSER selects (the router's tests run under each: see scripts/run-tests.mjs).
const codec = testCodec();
const newClient = (host: string, port: number, o: BackendClientOptions): BackendClient => codec.backendClient(host, port, o);

interface Outcome {
  status: number;
  statusText: string;
  headers: string[];
  body: string;
  connectMs: number;
  sent: number;
}

/** Sends one request through the client and collects what its handler hears. */
function send(client: BackendClient, request: Partial<BackendRequest> = {}, hooks: Partial<BackendHandler> = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const out: Outcome = { status: 0, statusText: '', headers: [], body: '', connectMs: -1, sent: 0 };
    client.dispatch(
      { method: 'GET', path: '/', headers: ['host', 'backend.test'], body: null, chunked: false, ...request },
      {
        onConnect: (control, connectMs) => {
          out.connectMs = connectMs;
          hooks.onConnect?.(control, connectMs);
        },
        onBodySent: (n) => {
          out.sent += n;
          hooks.onBodySent?.(n);
        },
        onHeaders: (status, headers, text) => {
          Object.assign(out, { status, headers, statusText: text });
          return hooks.onHeaders?.(status, headers, text) ?? true;
        },
        onData: (chunk) => {
          out.body += chunk.toString('latin1');
          return hooks.onData?.(chunk) ?? true;
        },
        onComplete: () => resolve(out),
        onError: reject,
      },
    );
  });
}

const options = { connectTimeoutMs: 1000, headersTimeoutMs: 2000, idleMs: 4000 };

async function server(handler: http.RequestListener): Promise<{ port: number; sockets: () => number; close: () => Promise<void> }> {
  const s = http.createServer(handler);
  let opened = 0;
  s.on('connection', () => opened++);
  const port = await listen(s);
  return {
    port,
    sockets: () => opened,
    close: () =>
      new Promise<void>((r) => {
        s.closeAllConnections();
        s.close(() => r());
      }),
  };
}

/** A backend that answers each request on a raw socket with `reply(head)`, for answers node's server would not send. */
async function rawServer(reply: (head: string, socket: net.Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const s = net.createServer((socket) => {
    sockets.add(socket);
    let buffered = '';
    socket.on('data', (d) => {
      buffered += d.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        reply(head, socket);
      }
    });
    socket.on('error', () => {});
  });
  const port = await listen(s);
  return {
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const socket of sockets) socket.destroy();
        s.close(() => r());
      }),
  };
}

test("node's HTTP parser has the shape the native codec relies on (on the supported node versions)", () => {
  const native = loadNativeHttp();
  assert.equal(typeof native, 'object', String(native));
});

test('requests reuse one keep-alive connection; the head goes out as given', async () => {
  const seen: string[][] = [];
  const backend = await server((req, res) => {
    seen.push(req.rawHeaders);
    res.setHeader('x-n', String(seen.length));
    res.end(`hello ${req.method} ${req.url}`);
  });
  const client = newClient('127.0.0.1', backend.port, options);
  try {
    const first = await send(client, { path: '/a?b=c', headers: ['Host', 'app.test', 'X-Forwarded-For', '10.0.0.1'] });
    assert.equal(first.status, 200);
    assert.equal(first.statusText, 'OK');
    assert.equal(first.body, 'hello GET /a?b=c');
    assert.ok(first.connectMs >= 0);
    assert.deepEqual(seen[0], ['Host', 'app.test', 'X-Forwarded-For', '10.0.0.1']);
    for (let i = 0; i < 5; i++) {
      const next = await send(client);
      assert.equal(next.connectMs, 0, 'a reused connection takes no time to open');
    }
    assert.equal(backend.sockets(), 1);
    assert.equal(client.connections, 1);
  } finally {
    client.destroy();
    await backend.close();
  }
});

test('chunked and close-delimited answers, HEAD, 204, 1xx before the answer, and a head of 40 fields', async () => {
  const backend = await rawServer((head, socket) => {
    const path = head.split(' ')[1];
    if (path === '/chunked') socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
    else if (path === '/close') socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end');
    else if (path === '/head') socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
    else if (path === '/204') socket.write('HTTP/1.1 204 No Content\r\n\r\n');
    else if (path === '/early') socket.write('HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    else {
      let fields = '';
      for (let i = 0; i < 40; i++) fields += `X-F${i}: ${i}\r\n`;
      socket.write(`HTTP/1.1 201 Made\r\n${fields}Content-Length: 0\r\n\r\n`);
    }
  });
  const client = newClient('127.0.0.1', backend.port, options);
  try {
    assert.equal((await send(client, { path: '/chunked' })).body, 'hello world');
    const closed = await send(client, { path: '/close' });
    assert.equal(closed.body, 'until the end');
    const head = await send(client, { path: '/head', method: 'HEAD' });
    assert.equal(head.body, '');
    assert.deepEqual(head.headers, ['Content-Length', '1000']);
    assert.equal((await send(client, { path: '/204' })).status, 204);
    const early = await send(client, { path: '/early' });
    assert.equal(early.status, 200, '1xx answers are not passed on');
    assert.equal(early.body, 'ok');
    const many = await send(client, { path: '/many' });
    assert.equal(many.status, 201);
    assert.equal(many.statusText, 'Made');
    assert.equal(many.headers.length, 82);
    assert.deepEqual(many.headers.slice(78), ['X-F39', '39', 'Content-Length', '0']);
  } finally {
    client.destroy();
    await backend.close();
  }
});

test('bodies stream to the backend: with their length, or chunked; a body sent back is counted', async () => {
  const backend = await server((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => res.end(`${req.headers['transfer-encoding'] ?? 'length'}:${Buffer.concat(parts).toString()}`));
  });
  const client = newClient('127.0.0.1', backend.port, options);
  try {
    const sized = await send(client, { method: 'POST', headers: ['host', 'x', 'content-length', '11'], body: Readable.from([Buffer.from('hello '), Buffer.from('world')]) });
    assert.equal(sized.body, 'length:hello world');
    assert.equal(sized.sent, 11);
    const chunked = await send(client, { method: 'POST', headers: ['host', 'x'], body: Readable.from([Buffer.from('a'), Buffer.alloc(0), Buffer.from('bc')]), chunked: true });
    assert.equal(chunked.body, 'chunked:abc');
    assert.equal(chunked.sent, 3);
  } finally {
    client.destroy();
    await backend.close();
  }
});

test('a refused connection and a backend that does not answer in time fail with their codes', async () => {
  const refused = newClient('127.0.0.1', await freePort(), options);
  await assert.rejects(send(refused), { code: 'ECONNREFUSED' });
  const silent = await rawServer(() => {});
  const client = newClient('127.0.0.1', silent.port, { ...options, headersTimeoutMs: 150 });
  try {
    await assert.rejects(send(client), { code: 'PAAS_HEADERS_TIMEOUT' });
    assert.equal(client.connections, 0, 'the timed-out connection is closed');
  } finally {
    client.destroy();
    await silent.close();
  }
});

test('a request on a kept-alive connection the backend closes as it arrives goes again on a new one', async () => {
  const perSocket = new WeakMap<net.Socket, number>();
  let answered = 0;
  const backend = await rawServer((_head, socket) => {
    const n = (perSocket.get(socket) ?? 0) + 1;
    perSocket.set(socket, n);
    // The second request on a connection finds it closing (as at the end of a keep-alive timeout): nothing comes back.
    if (n > 1) return void socket.destroy();
    answered++;
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  });
  const client = newClient('127.0.0.1', backend.port, options);
  try {
    await send(client);
    const again = await send(client);
    assert.equal(again.body, 'ok');
    assert.ok(again.connectMs > 0, 'the second answer came on a new connection');
    assert.equal(answered, 2);
  } finally {
    client.destroy();
    await backend.close();
  }
});

test('an invalid answer, an answer cut short and an unexpected upgrade are errors', async () => {
  const backend = await rawServer((head, socket) => {
    const path = head.split(' ')[1];
    if (path === '/garbage') socket.write('NOT HTTP AT ALL\r\n\r\n');
    else if (path === '/cut') socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part');
    else socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
  });
  const client = newClient('127.0.0.1', backend.port, options);
  try {
    await assert.rejects(send(client, { path: '/garbage' }), /invalid response/);
    await assert.rejects(send(client, { path: '/cut' }), { code: 'ECONNRESET' });
    await assert.rejects(send(client, { path: '/upgrade' }), { code: 'PAAS_UNEXPECTED_UPGRADE' });
  } finally {
    client.destroy();
    await backend.close();
  }
});

test('a paused answer resumes; an aborted request closes its connection; close() drains', async () => {
  const big = Buffer.alloc(4 * 1024 * 1024, 'x');
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const backend = await server((req, res) => {
    if (req.url === '/big') res.end(big);
    else if (req.url === '/slow') void gate.then(() => res.end('slow done'));
    else res.end('ok');
  });
  const client = newClient('127.0.0.1', backend.port, options);
  try {
    let control: BackendControl | undefined;
    let pauses = 0;
    const paused = await send(client, { path: '/big' }, {
      onConnect: (c) => (control = c),
      onData: () => {
        pauses++;
        setTimeout(() => control!.resume(), 1);
        return false;
      },
    });
    assert.equal(paused.body.length, big.length);
    assert.ok(pauses > 1);

    let slowControl: BackendControl | undefined;
    const aborted = send(client, { path: '/slow' }, { onConnect: (c) => (slowControl = c) });
    await new Promise((r) => setTimeout(r, 20));
    slowControl!.abort(Object.assign(new Error('the client went away'), { code: 'GONE' }));
    await assert.rejects(aborted, { code: 'GONE' });

    const slow = send(client, { path: '/slow' });
    await new Promise((r) => setTimeout(r, 20));
    client.close();
    assert.equal(client.closed, true);
    release();
    assert.equal((await slow).body, 'slow done', 'a request in flight finishes after close()');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(client.connections, 0);
  } finally {
    client.destroy();
    await backend.close();
  }
});

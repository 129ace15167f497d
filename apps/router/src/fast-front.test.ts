import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { MemoryRouteStore } from '@paas/shared';
import { startBackend, startRouter, type TestBackend, type TestRouter } from './test-http.js';
import { appRoute, backend } from './test-support.js';

// Both codecs' fronts serve plain keep-alive requests themselves (native: fast-front.ts, node: public-front.ts).

interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * A raw client connection: writes bytes as given (pipelined, split, malformed) and parses the
 * answers in order (a test's own small parser: no node internals). `heads` marks the answers to HEAD requests (they have no body).
 */
class RawClient {
  private readonly socket: net.Socket;
  private readonly replies: RawReply[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  private buffered = '';

  constructor(
    port: number,
    private readonly heads: boolean[] = [],
  ) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (d: Buffer) => {
      this.buffered += d.toString('latin1');
      this.parse(false);
    });
    this.socket.on('close', () => {
      this.parse(true);
      this.closed = true;
      this.wake();
    });
    this.socket.on('error', () => {});
  }

  /** Takes every complete answer off the buffer (a body without a length ends with the connection). */
  private parse(ended: boolean): void {
    for (;;) {
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = this.buffered.slice(0, end).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const status = Number(statusLine!.split(' ')[1]);
      let rest = this.buffered.slice(end + 4);
      let body = '';
      if (this.heads[this.replies.length] || status === 204 || status === 304) {
        // no body
      } else if (headers['content-length'] !== undefined) {
        const n = Number(headers['content-length']);
        if (rest.length < n) return;
        body = rest.slice(0, n);
        rest = rest.slice(n);
      } else if (headers['transfer-encoding'] === 'chunked') {
        let at = 0;
        for (;;) {
          const eol = rest.indexOf('\r\n', at);
          if (eol < 0) return;
          const size = parseInt(rest.slice(at, eol), 16);
          if (rest.length < eol + 2 + size + 2) return;
          body += rest.slice(eol + 2, eol + 2 + size);
          at = eol + 2 + size + 2;
          if (size === 0) break;
        }
        rest = rest.slice(at);
      } else {
        if (!ended) return;
        body = rest;
        rest = '';
      }
      this.buffered = rest;
      this.replies.push({ status, headers, body: Buffer.from(body, 'latin1').toString() });
      this.wake();
    }
  }

  /** The answers parsed so far. */
  get received(): RawReply[] {
    return [...this.replies];
  }

  write(s: string): void {
    this.socket.write(s);
  }

  async replies_(n: number, timeoutMs = 5000): Promise<RawReply[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length < n) {
      if (this.closed || Date.now() > deadline) throw new Error(`${this.replies.length} of ${n} answers came`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return this.replies.slice(0, n);
  }

  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

const get = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: hello.localhost\r\n${extra}\r\n`;
/** node's server marks its keep-alive answers (`Keep-Alive: timeout=65`); the fast front does not. */
const byNode = (r: RawReply): boolean => r.headers['keep-alive'] !== undefined;

let app: TestBackend;
let router: TestRouter;

before(async () => {
  app = await startBackend('app', (req, res) => {
    if (req.url === '/chunked') {
      res.write('part one, ');
      setTimeout(() => res.end('part two'), 5);
      return;
    }
    if (req.url === '/split') {
      // The fields node's server read (and the proxy forwarded), in order.
      const mine = req.rawHeaders.filter((_, i) => i % 2 === 0 && /^(x-one|content-length|x-two)$/i.test(req.rawHeaders[i]!)).map((n) => `${n}=${req.headers[n.toLowerCase()]}`);
      req.resume();
      req.on('end', () => res.end(mine.join(' ')));
      return;
    }
    if (req.url === '/empty') {
      res.writeHead(204);
      res.end();
      return;
    }
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => res.end(`${req.method} ${req.url}${parts.length ? ` ${Buffer.concat(parts).toString()}` : ''}`));
  });
  const store = new MemoryRouteStore();
  await store.set(appRoute('hello', ['hello.localhost'], [backend(app.port)], 1));
  router = await startRouter(store);
});

after(async () => {
  await router.close();
  await app.close();
});

test('keep-alive requests are served by the front, pipelined ones in order', async () => {
  const c = new RawClient(router.port);
  try {
    c.write(get('/one'));
    const [one] = await c.replies_(1);
    assert.equal(one!.status, 200);
    assert.equal(one!.body, 'GET /one');
    assert.ok(one!.headers['x-request-id']);
    assert.equal(byNode(one!), false);
    // Three requests in one write, then one sent a byte at a time.
    c.write(get('/two') + get('/three', 'Content-Length: 0\r\n') + get('/four'));
    const slow = get('/five');
    for (const ch of slow) {
      c.write(ch);
      await new Promise((r) => setTimeout(r, 1));
    }
    const replies = await c.replies_(5);
    assert.deepEqual(
      replies.map((r) => r.body),
      ['GET /one', 'GET /two', 'GET /three', 'GET /four', 'GET /five'],
    );
    assert.ok(replies.every((r) => !byNode(r)));
  } finally {
    c.close();
  }
});

test('answers of unknown length go chunked; HEAD and 204 have no body; Connection: close is honoured', async () => {
  const c = new RawClient(router.port, [false, true, false, false]);
  try {
    c.write(get('/chunked'));
    c.write(`HEAD /head HTTP/1.1\r\nHost: hello.localhost\r\n\r\n`);
    c.write(get('/empty'));
    const [chunked, head, empty] = await c.replies_(3);
    assert.equal(chunked!.headers['transfer-encoding'], 'chunked');
    assert.equal(chunked!.body, 'part one, part two');
    assert.equal(head!.status, 200);
    assert.equal(head!.body, '');
    assert.equal(empty!.status, 204);
    c.write(get('/last', 'Connection: close\r\n'));
    const last = (await c.replies_(4))[3]!;
    assert.equal(last.body, 'GET /last');
    assert.equal(last.headers['connection'], 'close');
    assert.ok(await c.waitClosed(), 'the router closes the connection after the answer');
  } finally {
    c.close();
  }
});

test('a request with a body, HTTP/1.0 or an unknown host hands the connection to node, which serves it and the rest', async () => {
  const c = new RawClient(router.port);
  try {
    c.write(get('/fast'));
    await c.replies_(1);
    c.write(`POST /upload HTTP/1.1\r\nHost: hello.localhost\r\nContent-Length: 5\r\n\r\nhello` + get('/after'));
    const [, post, afterPost] = await c.replies_(3);
    assert.equal(post!.body, 'POST /upload hello');
    assert.ok(byNode(post!));
    assert.equal(afterPost!.body, 'GET /after');
    assert.ok(byNode(afterPost!), 'the connection stays with node');
  } finally {
    c.close();
  }
  // Pipelined: two for the fast front, then one with a body and one more, all in one write.
  const piped = new RawClient(router.port);
  try {
    piped.write(get('/a') + get('/b') + `POST /c HTTP/1.1\r\nHost: hello.localhost\r\nContent-Length: 2\r\n\r\nhi` + get('/d'));
    const replies = await piped.replies_(4);
    assert.deepEqual(
      replies.map((r) => r.body),
      ['GET /a', 'GET /b', 'POST /c hi', 'GET /d'],
    );
    assert.deepEqual(replies.map(byNode), [false, false, true, true]);
  } finally {
    piped.close();
  }
  const old = new RawClient(router.port);
  try {
    old.write('GET /old HTTP/1.0\r\nHost: hello.localhost\r\n\r\n');
    const [reply] = await old.replies_(1);
    assert.equal(reply!.body, 'GET /old');
  } finally {
    old.close();
  }
  const unknown = new RawClient(router.port);
  try {
    unknown.write('GET / HTTP/1.1\r\nHost: nobody.localhost\r\n\r\n');
    const [reply] = await unknown.replies_(1);
    assert.equal(reply!.status, 404);
    assert.match(reply!.body, /No such app/);
  } finally {
    unknown.close();
  }
});

test('a request for node whose head came in pieces reaches node whole, fields in order, with its body', async () => {
  const c = new RawClient(router.port);
  try {
    c.write('POST /split HTTP/1.1\r\nHost: hello.localhost\r\nX-One: 1\r\nConte');
    await new Promise((r) => setTimeout(r, 20));
    c.write('nt-Length: 5\r\nX-Two: caf\xe9\r\n\r\nhel');
    await new Promise((r) => setTimeout(r, 20));
    c.write('lo' + get('/next'));
    const [post, next] = await c.replies_(2);
    // The client sent é as UTF-8: its two bytes arrive as they were sent (read as latin1 by node).
    assert.equal(post!.body, `X-One=1 Content-Length=5 X-Two=${Buffer.from('café').toString('latin1')}`);
    assert.ok(byNode(post!));
    assert.equal(next!.body, 'GET /next');
  } finally {
    c.close();
  }
});

test('a hundred pipelined requests in one write are answered in order (reading pauses while they wait)', async () => {
  const c = new RawClient(router.port);
  try {
    c.write(Array.from({ length: 100 }, (_, i) => get(`/p${i}`)).join(''));
    const replies = await c.replies_(100, 10_000);
    assert.deepEqual(
      replies.map((r) => r.body),
      Array.from({ length: 100 }, (_, i) => `GET /p${i}`),
    );
    assert.ok(replies.every((r) => !byNode(r)));
  } finally {
    c.close();
  }
});

test('a malformed request gets node’s 400, and the router keeps serving', async () => {
  const bad = new RawClient(router.port);
  try {
    bad.write('NOT A REQUEST\r\n\r\n');
    const [reply] = await bad.replies_(1);
    assert.equal(reply!.status, 400);
  } finally {
    bad.close();
  }
  const good = new RawClient(router.port);
  try {
    good.write(get('/still'));
    assert.equal((await good.replies_(1))[0]!.body, 'GET /still');
  } finally {
    good.close();
  }
});

test('stopping the router closes idle connections at once and lets an answer under way finish', async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const slowApp = await startBackend('slow', (req, res) => {
    if (req.url === '/slow') void gate.then(() => res.end('slow done'));
    else res.end('quick');
  });
  const store = new MemoryRouteStore();
  await store.set(appRoute('slow', ['slow.localhost'], [backend(slowApp.port)], 1));
  const own = await startRouter(store);
  const idle = new RawClient(own.port);
  const busy = new RawClient(own.port);
  try {
    idle.write('GET / HTTP/1.1\r\nHost: slow.localhost\r\n\r\n');
    assert.equal((await idle.replies_(1))[0]!.body, 'quick');
    busy.write('GET /slow HTTP/1.1\r\nHost: slow.localhost\r\n\r\n');
    await new Promise((r) => setTimeout(r, 50));
    const stopped = own.instance.stop(5000);
    assert.ok(await idle.waitClosed(2000), 'the idle keep-alive connection is closed');
    assert.equal(busy.closed, false);
    release();
    const [slow] = await busy.replies_(1);
    assert.equal(slow!.body, 'slow done');
    assert.equal(slow!.headers['connection'], 'close');
    await stopped;
    assert.ok(await busy.waitClosed(2000));
  } finally {
    idle.close();
    busy.close();
    await slowApp.close();
  }
});

test('smuggling attempts after a served request get node’s 400 and reach no backend', async () => {
  const hostile = [
    'POST /s HTTP/1.1\r\nHost: hello.localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: hello.localhost\r\n\r\n',
    'POST /s HTTP/1.1\r\nHost: hello.localhost\r\nContent-Length: 1\r\nContent-Length: 40\r\n\r\nxGET /smuggled HTTP/1.1\r\nHost: hello.localhost\r\n\r\n',
    'POST /s HTTP/1.1\r\nHost: hello.localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nGET /smuggled HTTP/1.1\r\nHost: hello.localhost\r\n\r\n',
  ];
  for (const h of hostile) {
    const c = new RawClient(router.port);
    try {
      // A plain request first (the front serves it), then the hostile one on the same connection.
      c.write(get('/first') + h);
      // node refuses it (a 400, or the connection cut, as node's own server does when an answer is
      // under way) and closes: nothing after the hostile head is read, let alone proxied.
      assert.ok(await c.waitClosed(), JSON.stringify(h.slice(0, 60)));
      const got = c.received.map((r) => `${r.status} ${r.body}`);
      assert.ok(got.length <= 2 && got.every((r, i) => (i === 0 && r === '200 GET /first') || r.startsWith('400 ')), JSON.stringify(got));
    } finally {
      c.close();
    }
  }
});

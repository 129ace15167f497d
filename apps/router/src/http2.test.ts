import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { MemoryRouteStore } from '@paas/shared';
import { appRoute, backend } from './test-support.js';
import { startBackend, startRouter, type TestBackend, type TestRouter } from './test-http.js';
import { makeTestCert, type TestCert } from '@paas/test-kit';

interface H2Reply {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: string;
}

/** One request over an HTTP/2 session. */
function h2(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: Buffer | string): Promise<H2Reply> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined });
    let head: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (head = h));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve({ status: Number(head[':status']), headers: head, body: Buffer.concat(chunks).toString() }));
    stream.on('error', reject);
    if (body !== undefined) stream.end(body);
  });
}

let platform: TestCert;
let web: TestBackend;
let upload: TestBackend;
let router: TestRouter;
let session: http2.ClientHttp2Session;

before(async () => {
  platform = await makeTestCert(['*.paas.test']);
  web = await startBackend('web');
  // Counts the bytes of the request body and says which HTTP version it was spoken to in.
  upload = await startBackend('upload', (req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => res.end(JSON.stringify({ bytes, httpVersion: req.httpVersion, te: req.headers['transfer-encoding'] ?? null })));
  });
  const store = new MemoryRouteStore();
  await store.set(appRoute('shop', ['shop.paas.test'], [backend(web.port)]));
  await store.set({ ...appRoute('upload', ['upload.paas.test'], [backend(upload.port)]), maxBodyMb: 1 });
  router = await startRouter(store, { domain: 'paas.test', platformCert: { cert: platform.cert, key: platform.key } });
  session = http2.connect(`https://127.0.0.1:${router.tlsPort}`, { servername: 'shop.paas.test', rejectUnauthorized: false });
  await new Promise<void>((resolve, reject) => session.once('connect', () => resolve()).once('error', reject));
});
after(async () => {
  session.close();
  await router.close();
  await web.close();
  await upload.close();
  await platform.cleanup();
});

test('clients that offer h2 get HTTP/2 (ALPN); the backend gets HTTP/1.1 with Host from :authority', async () => {
  assert.equal(session.alpnProtocol, 'h2');
  const res = await h2(session, { ':path': '/cart?x=1', ':authority': 'shop.paas.test', cookie: ['a=1', 'b=2'], 'x-request-id': 'abcdefghij0123456789' });
  assert.equal(res.status, 200);
  assert.equal(res.headers['x-request-id'], 'abcdefghij0123456789');
  for (const hop of ['connection', 'keep-alive', 'transfer-encoding']) assert.equal(res.headers[hop], undefined, hop);
  const seen = JSON.parse(res.body) as { backend: string; url: string; headers: Record<string, string> };
  assert.equal(seen.backend, 'web');
  assert.equal(seen.url, '/cart?x=1');
  assert.equal(seen.headers['host'], 'shop.paas.test');
  assert.equal(seen.headers['cookie'], 'a=1; b=2', 'split cookies are joined for HTTP/1.1');
  assert.equal(seen.headers['x-forwarded-proto'], 'https');
  assert.equal(seen.headers['x-forwarded-port'], '443');
  assert.equal(seen.headers['x-request-id'], 'abcdefghij0123456789');
  assert.equal(web.seen.at(-1)?.httpVersion, '1.1');
  assert.equal(Object.keys(seen.headers).some((h) => h.startsWith(':')), false, 'no pseudo-headers reach the backend');
});

test('several requests share one HTTP/2 connection; request bodies stream to the backend', async () => {
  const body = Buffer.alloc(300 * 1024, 'x');
  const replies = await Promise.all([1, 2, 3].map(() => h2(session, { ':method': 'POST', ':path': '/up', ':authority': 'upload.paas.test' }, body)));
  for (const r of replies) {
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { bytes: body.length, httpVersion: '1.1', te: 'chunked' });
  }
});

test('the router’s own answers work over HTTP/2: unknown host, body over the app’s limit', async () => {
  const unknown = await h2(session, { ':path': '/', ':authority': 'nope.paas.test', accept: 'application/json' });
  assert.equal(unknown.status, 404);
  assert.equal(JSON.parse(unknown.body).id, 'app_not_found');
  assert.ok(unknown.headers['x-request-id']);
  const big = await h2(session, { ':method': 'POST', ':path': '/up', ':authority': 'upload.paas.test', 'content-length': String(2 * 1024 * 1024) }, Buffer.alloc(2 * 1024 * 1024));
  assert.equal(big.status, 413);
  const after = await h2(session, { ':path': '/', ':authority': 'shop.paas.test' });
  assert.equal(after.status, 200, 'the connection still serves');
});

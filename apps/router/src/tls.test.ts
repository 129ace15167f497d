import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import tls from 'node:tls';
import { MemoryRouteStore, SecretBox, type CertEntry } from '@paas/shared';
import { appRoute, backend, eventually } from './test-support.js';
import { echoUpgradeBackend, json, request, startBackend, startRouter, type TestBackend, type TestRouter } from './test-http.js';
import { makeTestCert, type TestCert } from '@paas/test-kit';

const box = new SecretBox('k'.repeat(40));
const entry = (id: string, app: string, c: TestCert, names: string[], expiresAt = '2030-01-01T00:00:00.000Z'): CertEntry => ({
  id,
  app,
  names,
  cert: c.cert,
  sealedKey: box.seal(c.key),
  expiresAt,
});

/** Opens a TLS connection with SNI `servername`; resolves with the peer certificate's CN. */
function peerName(port: number, servername: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const cn = socket.getPeerCertificate().subject?.CN;
      socket.end();
      resolve(String(cn));
    });
    socket.on('error', reject);
  });
}

function httpsGet(port: number, host: string, path = '/'): Promise<{ status: number; headers: Record<string, unknown>; body: string; cn: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path, servername: host, headers: { host }, rejectUnauthorized: false, agent: false }, (res) => {
      const cn = String((res.socket as tls.TLSSocket).getPeerCertificate().subject?.CN);
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, cn }));
    });
    req.on('error', reject);
  });
}

describe('HTTPS with SNI', () => {
  let shopCert: TestCert;
  let blogCert: TestCert;
  let platform: TestCert;
  let shop: TestBackend;
  let blog: TestBackend;
  let store: MemoryRouteStore;
  let router: TestRouter;

  before(async () => {
    [shopCert, blogCert, platform] = await Promise.all([
      makeTestCert(['www.shop.test', 'shop.test']),
      makeTestCert(['*.blog.test']),
      makeTestCert(['*.paas.test']),
    ]);
    shop = await startBackend('shop');
    blog = await startBackend('blog');
    store = new MemoryRouteStore();
    // As the controller writes it: the whole table under an epoch (a store without one removes nothing).
    await store.replaceAll([
      appRoute('shop', ['shop.paas.test', 'www.shop.test', 'shop.test'], [backend(shop.port)]),
      appRoute('blog', ['blog.paas.test', '*.blog.test'], [backend(blog.port)]),
    ]);
    await store.setCert(entry('c-shop', 'shop', shopCert, ['www.shop.test', 'shop.test']));
    await store.setCert(entry('c-blog', 'blog', blogCert, ['*.blog.test']));
    router = await startRouter(store, {
      domain: 'paas.test',
      platformCert: { cert: platform.cert, key: platform.key },
      openKey: (s) => box.open(s),
      httpsRedirect: true,
    });
  });
  after(async () => {
    await router.close();
    for (const c of [shopCert, blogCert, platform]) await c.cleanup();
    await shop.close();
    await blog.close();
  });

  test('SNI picks each app’s certificate (exact, wildcard); other names and no SNI get the platform’s', async () => {
    assert.equal(await peerName(router.tlsPort, 'www.shop.test'), 'www.shop.test');
    assert.equal(await peerName(router.tlsPort, 'shop.test'), 'www.shop.test');
    assert.equal(await peerName(router.tlsPort, 'en.blog.test'), '*.blog.test');
    assert.equal(await peerName(router.tlsPort, 'shop.paas.test'), '*.paas.test');
    assert.equal(await peerName(router.tlsPort, undefined), '*.paas.test');
  });

  test('requests over TLS reach the app with X-Forwarded-Proto https and port 443 by default', async () => {
    const res = await httpsGet(router.tlsPort, 'www.shop.test');
    assert.equal(res.status, 200);
    assert.equal(res.cn, 'www.shop.test');
    const seen = json({ status: res.status, headers: {}, body: res.body }).headers as Record<string, string>;
    assert.equal(seen['x-forwarded-proto'], 'https');
    assert.equal(seen['x-forwarded-port'], '443');
    assert.equal(json({ status: 200, headers: {}, body: (await httpsGet(router.tlsPort, 'en.blog.test')).body }).backend, 'blog');
  });

  test('plain HTTP is redirected to HTTPS for hosts with a certificate, kept for the rest', async () => {
    const get = await request(router.port, 'www.shop.test', { path: '/cart?x=1' });
    assert.equal(get.status, 301);
    assert.equal(get.headers['location'], `https://www.shop.test:${router.tlsPort}/cart?x=1`);
    const post = await request(router.port, 'www.shop.test', { method: 'POST', body: 'x' });
    assert.equal(post.status, 308);
    const acme = await request(router.port, 'www.shop.test', { path: '/.well-known/acme-challenge/token' });
    assert.equal(acme.status, 200, 'ACME challenges stay on HTTP');
    await store.set(appRoute('plain', ['plain.example'], [backend(shop.port)]));
    await eventually(() => router.table.lookup('plain.example'), 'route');
    assert.equal((await request(router.port, 'plain.example')).status, 200, 'no certificate names it: no redirect');
  });

  test('a websocket (an upgrade) works over TLS', async () => {
    const echo = await echoUpgradeBackend();
    try {
      await store.set(appRoute('chat', ['chat.blog.test'], [backend(echo.port)]));
      await eventually(() => router.table.lookup('chat.blog.test')?.app === 'chat', 'route');
      const socket = tls.connect({ host: '127.0.0.1', port: router.tlsPort, servername: 'chat.blog.test', rejectUnauthorized: false });
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.write('GET /ws HTTP/1.1\r\nHost: chat.blog.test\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
      await eventually(() => text.includes('\r\n\r\n'), 'the 101');
      assert.match(text, /^HTTP\/1\.1 101 /);
      text = '';
      socket.write('ping over tls');
      await eventually(() => text === 'ping over tls', 'the echo');
      socket.destroy();
      assert.match(echo.heads[0] ?? '', /\r\nx-forwarded-proto: https/i);
    } finally {
      await echo.close();
    }
  });

  test('certificates follow the store: a new one is served, a removed one is not', async () => {
    const fresh = await makeTestCert(['new.shop.test']);
    try {
      await store.set(appRoute('shop', ['shop.paas.test', 'www.shop.test', 'shop.test', 'new.shop.test'], [backend(shop.port)]));
      await store.setCert(entry('c-new', 'shop', fresh, ['new.shop.test']));
      await eventually(async () => (await peerName(router.tlsPort, 'new.shop.test')) === 'new.shop.test', 'the new certificate');
      await store.removeCert('c-new');
      await eventually(async () => (await peerName(router.tlsPort, 'new.shop.test')) === '*.paas.test', 'back to the platform certificate');
    } finally {
      await fresh.cleanup();
    }
  });

  test('another app’s certificate is never served for an app’s host, even naming it and expiring far later', async () => {
    // A tenant's self-signed certificate for the platform's wildcard and the other apps' names.
    const takeover = await makeTestCert(['evil.test', '*.paas.test', 'www.shop.test', 'shop.test', '*.blog.test']);
    try {
      await store.set(appRoute('evil', ['evil.paas.test', 'evil.test'], [backend(shop.port)]));
      await store.setCert(entry('c-evil', 'evil', takeover, ['evil.test', '*.paas.test', 'www.shop.test', 'shop.test', '*.blog.test'], '2099-01-01T00:00:00.000Z'));
      await eventually(async () => (await peerName(router.tlsPort, 'evil.test')) === 'evil.test', 'the tenant’s certificate, for its own name');
      assert.equal(await peerName(router.tlsPort, 'www.shop.test'), 'www.shop.test');
      assert.equal(await peerName(router.tlsPort, 'shop.test'), 'www.shop.test');
      assert.equal(await peerName(router.tlsPort, 'en.blog.test'), '*.blog.test');
      assert.equal(await peerName(router.tlsPort, 'shop.paas.test'), '*.paas.test', 'the platform certificate, the operator’s');
      assert.equal(await peerName(router.tlsPort, 'nobody.paas.test'), '*.paas.test');
      assert.equal(await peerName(router.tlsPort, undefined), '*.paas.test');
      // Served for the tenant's own default host only: it named it.
      assert.equal(await peerName(router.tlsPort, 'evil.paas.test'), 'evil.test');
      const res = await httpsGet(router.tlsPort, 'www.shop.test');
      assert.equal(res.cn, 'www.shop.test');
      assert.equal(json({ status: res.status, headers: {}, body: res.body }).backend, 'shop');
    } finally {
      await store.removeCert('c-evil');
      await store.remove('evil');
      await takeover.cleanup();
    }
  });
});

test('without any certificate the handshake fails cleanly, and the router keeps serving', async () => {
  const store = new MemoryRouteStore();
  const router = await startRouter(store);
  try {
    await assert.rejects(peerName(router.tlsPort, 'www.shop.test'), (err: Error) => /alert|handshake|socket|ECONNRESET/i.test(err.message));
    await assert.rejects(peerName(router.tlsPort, undefined));
    assert.equal((await request(router.port, 'localhost', { path: '/healthz' })).status, 200);
  } finally {
    await router.close();
  }
});

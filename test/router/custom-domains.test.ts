// Custom domains end to end: the controller's API → RoutePublisher → route store → the router.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import request from 'supertest';
import { SecretBox } from '@paas/shared';
import { createApiHarness, type ApiHarness } from '../../apps/controller/src/api/test-harness.js';
import { as, deployedApp } from '../../apps/controller/src/api/test-fixtures.js';
import { MemoryRuntimeBackend } from '../../apps/controller/src/runtime/memory-runtime-backend.js';
import type { ProcessInfo, ProcessSpec } from '../../apps/controller/src/runtime/runtime-backend.js';
import { startRouter, type TestRouter } from '../../apps/router/src/test-http.js';
import { makeTestCert, type TestCert } from '@paas/test-kit';

/** The in-memory runtime, but each web process is a real HTTP server naming its app and process. */
class ServingRuntime extends MemoryRuntimeBackend {
  private readonly servers = new Map<string, { server: http.Server; info: ProcessInfo }>();

  override async start(spec: ProcessSpec): Promise<ProcessInfo> {
    const info = await super.start(spec);
    if (info.port === undefined) return info;
    const server = http.createServer((req, res) => res.end(JSON.stringify({ app: spec.app, process: info.name, host: req.headers.host })));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const served = { ...info, port: (server.address() as AddressInfo).port };
    this.servers.set(info.id, { server, info: served });
    return served;
  }

  override async list(filter: { app?: string } = {}): Promise<ProcessInfo[]> {
    return (await super.list(filter)).map((p) => this.servers.get(p.id)?.info ?? p);
  }

  override async stop(id: string): Promise<void> {
    const s = this.servers.get(id);
    this.servers.delete(id);
    s?.server.closeAllConnections();
    s?.server.close();
    await super.stop(id);
  }

  closeAll(): void {
    for (const { server } of this.servers.values()) {
      server.closeAllConnections();
      server.close();
    }
  }
}

function get(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, headers: { host }, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** A TLS handshake with SNI `servername`; resolves with the CN of the certificate the router served. */
function servedName(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const cn = String(socket.getPeerCertificate().subject?.CN);
      socket.end();
      resolve(cn);
    });
    socket.on('error', reject);
  });
}

describe('custom domains, from the API to the router', () => {
  let h: ApiHarness;
  let runtime: ServingRuntime;
  let router: TestRouter;
  let alice: { token: string; user: { id: string } };
  let mallory: { token: string; user: { id: string } };
  let platformCert: TestCert;

  before(async () => {
    runtime = new ServingRuntime();
    h = await createApiHarness({ runtime, ackTimeoutMs: 3000 });
    platformCert = await makeTestCert(['*.localhost']);
    // The harness's PAAS_SECRET opens the keys the API sealed.
    const box = new SecretBox('x'.repeat(32));
    router = await startRouter(h.routes, { domain: 'localhost', platformCert: { cert: platformCert.cert, key: platformCert.key }, openKey: (s) => box.open(s) });
    alice = await h.user('alice@example.com');
    mallory = await h.user('mallory@example.com');
    await deployedApp(h, 'shop', alice.user.id);
    await deployedApp(h, 'blog', alice.user.id);
    await deployedApp(h, 'evil', mallory.user.id);
  });
  after(async () => {
    await router.close();
    await platformCert.cleanup();
    runtime.closeAll();
    await h.close();
  });

  test('the default hostname routes at once; an added domain and wildcard route as soon as the API answers; a removed one stops', async () => {
    assert.equal(JSON.parse((await get(router.port, 'shop.localhost')).body).app, 'shop');
    assert.equal((await get(router.port, 'www.shop.test')).status, 404);

    await request(h.app).post('/apps/shop/domains').set(as(alice)).send({ hostname: 'www.shop.test' }).expect(201);
    await request(h.app).post('/apps/blog/domains').set(as(alice)).send({ hostname: '*.blog.test' }).expect(201);
    // The API answered once a router acknowledged the new route: no waiting here.
    const www = await get(router.port, 'WWW.shop.test:8080');
    assert.equal(www.status, 200);
    assert.deepEqual(JSON.parse(www.body), { app: 'shop', process: 'web.1', host: 'WWW.shop.test:8080' });
    assert.equal(JSON.parse((await get(router.port, 'en.blog.test')).body).app, 'blog');
    assert.equal(JSON.parse((await get(router.port, 'blog.localhost')).body).app, 'blog');

    await request(h.app).delete('/apps/shop/domains/www.shop.test').set(as(alice)).expect(200);
    assert.equal((await get(router.port, 'www.shop.test')).status, 404);
    assert.equal(JSON.parse((await get(router.port, 'shop.localhost')).body).app, 'shop', 'the default stays');
  });

  test('another tenant can neither claim an app’s hostname nor get its certificate served for the app’s hosts', async () => {
    const shopCert = await makeTestCert(['secure.shop.test']);
    const takeover = await makeTestCert(['evil.localhost', '*.localhost', 'secure.shop.test']);
    const own = await makeTestCert(['evil.localhost']);
    try {
      await request(h.app).post('/apps/shop/domains').set(as(alice)).send({ hostname: 'secure.shop.test' }).expect(201);
      await request(h.app).post('/apps/shop/certs').set(as(alice)).send({ certificate_chain: shopCert.cert, private_key: shopCert.key }).expect(201);
      assert.equal((await request(h.app).post('/apps/evil/domains').set(as(mallory)).send({ hostname: 'secure.shop.test' })).status, 409);
      assert.equal((await request(h.app).post('/apps/evil/domains').set(as(mallory)).send({ hostname: '*.localhost' })).status, 422);
      const refused = await request(h.app).post('/apps/evil/certs').set(as(mallory)).send({ certificate_chain: takeover.cert, private_key: takeover.key });
      assert.equal(refused.status, 422);
      assert.equal(refused.body.name, '*.localhost');
      await request(h.app).post('/apps/evil/certs').set(as(mallory)).send({ certificate_chain: own.cert, private_key: own.key }).expect(201);

      // Even were such a certificate stored (as before this check), the router would not serve it for another app's host.
      const box = new SecretBox('x'.repeat(32));
      await h.routes.setCert({ id: 'legacy-takeover', app: 'evil', names: ['evil.localhost', '*.localhost', 'secure.shop.test'], cert: takeover.cert, sealedKey: box.seal(takeover.key), expiresAt: '2099-01-01T00:00:00.000Z' });
      await router.instance.certSync.sync();
      assert.ok(router.instance.certs.get('legacy-takeover'), 'loaded by the router');
      assert.equal(await servedName(router.tlsPort, 'secure.shop.test'), 'secure.shop.test');
      assert.equal(await servedName(router.tlsPort, 'shop.localhost'), '*.localhost', 'the platform certificate');
      assert.equal(await servedName(router.tlsPort, 'blog.localhost'), '*.localhost');
      assert.equal(await servedName(router.tlsPort, 'evil.localhost'), 'evil.localhost');
      await h.routes.removeCert('legacy-takeover');
    } finally {
      for (const c of [shopCert, takeover, own]) await c.cleanup();
    }
  });
});

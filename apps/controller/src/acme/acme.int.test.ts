// Automatic certificates end to end: Debian's pebble (the ACME test CA) on loopback, with
// pebble-challtestsrv as its DNS (every name is 127.0.0.1 unless told otherwise), validating HTTP-01
// through a real router process that reads the challenges and certificates from Redis. A domain gets
// a certificate and is served over HTTPS with it; a domain the CA cannot validate shows its reason.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createLogger, RedisKeys, RedisRouteStore, SecretBox } from '@paas/shared';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { createUser } from '../db/users.js';
import { findAppByName, insertApp, type AppRow } from '../db/apps.js';
import { insertDomain } from '../db/domains.js';
import { CertService } from '../domains/cert-service.js';
import { AcmeService } from './acme-service.js';
import { trustAcmeCa } from './acme-wiring.js';
import { makeTestCert, testRedisUrl, type TestCert } from '@paas/test-kit';

const routerMain = fileURLToPath(new URL('../../../router/src/main.ts', import.meta.url));
const secret = 's'.repeat(40);

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function startProcess(cmd: string, args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(cmd, args, { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  return { child, output: () => out };
}

async function until<T>(what: string, check: () => Promise<T | undefined>, output: () => string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} did not happen:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function get(url: string, options: https.RequestOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.request(url, options, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    // a server that accepts and never answers (a router with no worker) must not hold `until` forever
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.end();
  });
}

describe('automatic certificates from pebble', { timeout: 240_000 }, () => {
  let db: TestDatabase;
  let redis: Redis;
  let keys: RedisKeys;
  let pebbleCert: TestCert;
  let work: string;
  const procs: { child: ChildProcess; output: () => string }[] = [];
  let routerPort: number;
  let routerTlsPort: number;
  let pebbleMgmt: number;
  let dnsMgmt: number;
  let acme: AcmeService;
  let app: AppRow;
  let backend: http.Server;
  const output = (): string => procs.map((p) => p.output()).join('\n---\n');

  before(async () => {
    db = await createTestDatabase();
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    keys = new RedisKeys(`paas-test-acme-${randomBytes(4).toString('hex')}`);
    const store = new RedisRouteStore(redis, keys);
    work = await mkdtemp(join(tmpdir(), 'paas-acme-'));
    pebbleCert = await makeTestCert(['localhost']);
    [routerPort, routerTlsPort, pebbleMgmt, dnsMgmt] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const pebblePort = await freePort();
    const dnsPort = await freePort();

    // The app: a backend, and the route (its custom domains) the router serves it on.
    backend = http.createServer((_req, res) => res.end('hello from shop'));
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    const user = await createUser(db.pool, 'alice@example.com', 'x', 'user');
    const appId = await insertApp(db.pool, 'shop', user.id);
    await insertDomain(db.pool, appId, 'www.shop.test');
    await insertDomain(db.pool, appId, 'unreachable.shop.test');
    await insertDomain(db.pool, appId, '*.wild.shop.test');
    app = (await findAppByName(db.pool, 'shop'))!;
    await store.set({
      app: 'shop',
      domains: ['shop.paas.test', 'www.shop.test', 'unreachable.shop.test'],
      backends: [{ process: 'web.1', container: 'c1', host: '127.0.0.1', port: (backend.address() as AddressInfo).port }],
      release: 1,
      version: 1,
    });

    const router = startProcess(process.execPath, ['--conditions=development', '--import', 'tsx', routerMain], {
      PAAS_ROUTER_PORT: String(routerPort),
      PAAS_ROUTER_TLS_PORT: String(routerTlsPort),
      // the internal listener's default port (5055) may be a running platform's router
      PAAS_ROUTER_INTERNAL_PORT: String(await freePort()),
      PAAS_ROUTER_HOST: '127.0.0.1',
      PAAS_ROUTER_WORKERS: '1',
      PAAS_DOMAIN: 'paas.test',
      REDIS_URL: testRedisUrl(),
      PAAS_REDIS_PREFIX: keys.prefix,
      PAAS_SECRET: secret,
      LOG_LEVEL: 'warn',
    });
    procs.push(router);
    const dns = startProcess('pebble-challtestsrv', ['-dns01', `127.0.0.1:${dnsPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${dnsMgmt}`, '-defaultIPv4', '127.0.0.1', '-defaultIPv6', ''], {});
    procs.push(dns);
    const config = join(work, 'pebble.json');
    await writeFile(config, JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${pebblePort}`,
        managementListenAddress: `127.0.0.1:${pebbleMgmt}`,
        certificate: pebbleCert.certFile,
        privateKey: pebbleCert.keyFile,
        httpPort: routerPort,
        tlsPort: routerTlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }));
    const pebble = startProcess('pebble', ['-config', config, '-dnsserver', `127.0.0.1:${dnsPort}`], { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' });
    procs.push(pebble);

    await until('the router answers', async () => ((await get(`http://127.0.0.1:${routerPort}/healthz`, { headers: { host: 'localhost' } })).status === 200 ? true : undefined), output);
    await until('challtestsrv answers', async () => ((await get(`http://127.0.0.1:${dnsMgmt}/`)).status > 0 ? true : undefined), output);
    trustAcmeCa({ caFile: pebbleCert.certFile });
    await until('pebble answers', async () => ((await get(`https://localhost:${pebblePort}/dir`, { ca: pebbleCert.cert })).status === 200 ? true : undefined), output);
    // unreachable.shop.test resolves to an address nothing listens on: its validation fails.
    const added = await new Promise<number>((resolve, reject) => {
      const req = http.request(`http://127.0.0.1:${dnsMgmt}/add-a`, { method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ host: 'unreachable.shop.test', addresses: ['127.0.0.2'] }));
    });
    assert.equal(added, 200);

    const cipher = new SecretBox(secret, 'config vars');
    const log = createLogger('test', 'silent');
    acme = new AcmeService({
      pool: db.pool,
      cipher,
      certs: new CertService({ pool: db.pool, store, box: new SecretBox(secret), platformDomain: 'paas.test', log }),
      challenges: store,
      directoryUrl: `https://localhost:${pebblePort}/dir`,
      email: 'ops@example.com',
      renewBeforeMs: 30 * 24 * 3600_000,
      log,
    });
  });

  after(async () => {
    for (const p of procs.reverse()) {
      if (p.child.exitCode === null) {
        const exited = new Promise((r) => p.child.once('exit', r));
        p.child.kill('SIGTERM');
        const t = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
    }
    await new Promise((r) => backend?.close(r));
    const left = await redis.keys(`${keys.prefix}:*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
    await db?.drop();
    await pebbleCert?.cleanup();
    await rm(work, { recursive: true, force: true });
  });

  test('enable: a certificate from the CA for each custom domain, served over HTTPS; failures with the CA reason', async () => {
    assert.deepEqual(await acme.status(app), [], 'off: nothing to show');
    const enabled = await acme.enable(app);
    assert.deepEqual(enabled.map((s) => [s.hostname, s.status]).sort(), [
      ['*.wild.shop.test', 'unsupported'],
      ['unreachable.shop.test', 'waiting'],
      ['www.shop.test', 'waiting'],
    ]);
    await acme.runOnce();
    await acme.settle();
    const status = new Map((await acme.status(app)).map((s) => [s.hostname, s]));
    const www = status.get('www.shop.test')!;
    assert.equal(www.status, 'issued', `${www.message}\n${output()}`);
    assert.ok(www.expires_at && www.expires_at.getTime() > Date.now());
    assert.ok(www.next_attempt_at && www.next_attempt_at.getTime() === www.expires_at.getTime() - 30 * 24 * 3600_000, 'renewed 30 days before expiry');

    const bad = status.get('unreachable.shop.test')!;
    assert.equal(bad.status, 'failed');
    assert.match(bad.message ?? '', /127\.0\.0\.2|connection refused|Fetching/i, 'the CA says why');
    assert.ok(bad.next_attempt_at && bad.next_attempt_at.getTime() > Date.now(), 'retried later');

    // Served over HTTPS with it: verified against pebble's root.
    const root = (await get(`https://localhost:${pebbleMgmt}/roots/0`, { ca: pebbleCert.cert })).body;
    const res = await get(`https://127.0.0.1:${routerTlsPort}/`, { servername: 'www.shop.test', headers: { host: 'www.shop.test' }, ca: root });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'hello from shop');
  });

  test('a pass with nothing due orders nothing; disable removes the certificates it made', async () => {
    const before = await db.pool.query('SELECT cert_id FROM acme_domains WHERE hostname = $1', ['www.shop.test']);
    await acme.runOnce();
    const after = await db.pool.query('SELECT cert_id FROM acme_domains WHERE hostname = $1', ['www.shop.test']);
    assert.equal(after.rows[0].cert_id, before.rows[0].cert_id);
    await acme.disable(app);
    assert.deepEqual(await acme.status(app), []);
    assert.equal((await db.pool.query('SELECT 1 FROM certs WHERE app_id = $1', [app.id])).rowCount, 0);
  });
});

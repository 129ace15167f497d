// `paas run` through a proxy that passes WebSocket upgrades and nothing else (as load balancers do):
// the real CLI (from its sources) against the controller's HTTP app with the in-memory runtime.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { webSocketAccept } from '@paas/shared';
import { findAppByName } from '../db/apps.js';
import { serveUpgrades } from './attach-upgrade.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';

const cliMain = fileURLToPath(new URL('../../../cli/src/main.ts', import.meta.url));

/**
 * A reverse proxy that forwards only `GET` + `Upgrade: websocket` requests (then pipes bytes both
 * ways) and answers everything else 502, recording what it saw.
 */
function websocketOnlyProxy(target: number): { server: http.Server; seen: string[]; sockets: Set<net.Socket> } {
  const seen: string[] = [];
  /** Every socket it holds (clients' and upstream ones): upgraded ones are no longer the server's to close. */
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.headers.upgrade ?? '-'}`);
    res.writeHead(502, { 'content-type': 'text/plain' }).end('this proxy passes WebSocket upgrades only');
  });
  server.on('upgrade', (req, socket, head) => {
    seen.push(`${req.method} ${req.headers.upgrade ?? '-'}`);
    if (req.method !== 'GET' || String(req.headers.upgrade).toLowerCase() !== 'websocket' || req.headers['sec-websocket-key'] === undefined) {
      socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    track(socket as net.Socket);
    const upstream = net.connect(target, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  server.on('connection', track);
  return { server, seen, sockets };
}

describe('paas run through a WebSocket proxy', () => {
  let h: ApiHarness;
  let api: http.Server;
  const apiSockets = new Set<net.Socket>();
  let proxy: ReturnType<typeof websocketOnlyProxy>;
  let home: string;
  let token: string;
  const port = (s: http.Server): number => (s.address() as AddressInfo).port;

  const paas = (apiUrl: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const env = { PATH: process.env['PATH'] ?? '', PAAS_HOME: home, PAAS_API_URL: apiUrl, PAAS_API_TOKEN: token };
      const child = spawn(process.execPath, ['--conditions=development', '--import', import.meta.resolve('tsx'), cliMain, ...args], { env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c));
      child.stderr.on('data', (c: Buffer) => (stderr += c));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end();
    });

  before(async () => {
    h = await createApiHarness();
    ({ token } = await h.user('dev@example.com'));
    await request(h.app).post('/apps').set({ Authorization: `Bearer ${token}` }).send({ name: 'wsrun' }).expect(201);
    const app = (await findAppByName(h.db.pool, 'wsrun'))!;
    await h.releases.release(app, { image: 'img:1', processTypes: { worker: 'sleep 1000' }, buildId: null, description: 'Deploy 1', userId: null });
    api = http.createServer(h.app);
    api.on('connection', (s: net.Socket) => {
      apiSockets.add(s);
      s.on('close', () => apiSockets.delete(s));
    });
    serveUpgrades(api, h.app);
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    proxy = websocketOnlyProxy(port(api));
    await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', r));
    home = await mkdtemp(join(tmpdir(), 'paas-run-ws-'));
  });
  after(async () => {
    // Upgraded connections are not the servers' to wait for: every socket either server took goes.
    for (const s of [...proxy.sockets, ...apiSockets]) s.destroy();
    proxy.server.closeAllConnections();
    api.closeAllConnections();
    await new Promise((r) => proxy.server.close(r));
    await new Promise((r) => api.close(r));
    await h.close();
    await rm(home, { recursive: true, force: true });
  });

  test('paas run goes through the proxy as a WebSocket upgrade', async () => {
    const res = await paas(`http://127.0.0.1:${port(proxy.server)}`, ['run', '-a', 'wsrun', '--', 'echo through the proxy']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, 'echo through the proxy\n', 'the in-memory one-off prints its command');
    assert.deepEqual(proxy.seen, ['GET websocket']);
    assert.equal(h.runtime.runs.at(-1)?.command, 'echo through the proxy');
  });

  test("the 101 names the protocol and proves the key; Upgrade: tcp (older CLIs) still works directly", async () => {
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';
    const body = Buffer.from(JSON.stringify({ command: 'echo raw', tty: false })).toString('base64url');
    const head = await rawUpgrade(port(api), `GET /apps/wsrun/dynos HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: ${key}\r\npaas-run: ${body}\r\n\r\n`);
    assert.match(head, /^HTTP\/1\.1 101 /);
    assert.match(head, /\r\nUpgrade: websocket\r\n/);
    assert.ok(head.includes(`Sec-WebSocket-Accept: ${webSocketAccept(key)}`), head);
    const json = JSON.stringify({ command: 'echo tcp', tty: false });
    const tcp = await rawUpgrade(port(api), `POST /apps/wsrun/dynos HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\nconnection: Upgrade\r\nupgrade: tcp\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
    assert.match(tcp, /^HTTP\/1\.1 101 [^]*\r\nUpgrade: tcp\r\n/);
  });

  test('a GET upgrade without a readable request, or another protocol, is refused with a JSON error', async () => {
    const bad = await rawUpgrade(port(api), `GET /apps/wsrun/dynos HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\nconnection: Upgrade\r\nupgrade: websocket\r\npaas-run: not base64!\r\n\r\n`);
    assert.match(bad, /^HTTP\/1\.1 422 [^]*paas-run: give the run request as base64url JSON/);
    const h2 = await rawUpgrade(port(api), `POST /apps/wsrun/dynos HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\nconnection: Upgrade\r\nupgrade: h2c\r\ncontent-length: 2\r\n\r\n{}`);
    assert.match(h2, /^HTTP\/1\.1 422 [^]*only websocket and tcp are spoken here/);
    const tcpGet = await rawUpgrade(port(api), `GET /apps/wsrun/dynos HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\nconnection: Upgrade\r\nupgrade: tcp\r\n\r\n`);
    assert.match(tcpGet, /^HTTP\/1\.1 404 /);
  });
});

/** Sends a raw request and answers what came back until the peer closed (or 2 s after the head). */
function rawUpgrade(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    let got = '';
    let timer: NodeJS.Timeout | undefined;
    s.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      if (!timer && got.includes('\r\n\r\n')) timer = setTimeout(() => s.destroy(), 2000);
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    s.on('error', reject);
  });
}

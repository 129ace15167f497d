import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dyno } from '../api-client.js';
import { Context } from '../context.js';
import { startFixture, type Fixture } from '../test-support/fixture.js';
import { runCli, tempDir } from '../test-support/run-cli.js';
import { formatProcesses } from './ps.js';
import { showLogs } from './logs.js';

/**
 * A stand-in for the controller's log stream (server-sent events) whose connections a test scripts:
 * dropped and quiet connections, to test how `paas logs --tail` reconnects. Everything else runs
 * against the real controller (startFixture).
 */
class LogsApi {
  server!: Server;
  url = '';
  requests: { path: string; lastEventId: string | undefined }[] = [];
  /** Each connection to /logs gets the next handler. */
  logHandlers: ((res: ServerResponse, req: IncomingMessage) => void)[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      this.requests.push({ path: `${u.pathname}${u.search}`, lastEventId: req.headers['last-event-id'] as string | undefined });
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.headers.authorization !== 'Bearer tok') return json(401, { id: 'unauthorized', message: 'no' });
      if (u.pathname === '/apps/ghost/logs') return json(404, { id: 'app_not_found', message: "Couldn't find that app: ghost" });
      if (u.pathname === '/apps/shop/logs') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const handler = this.logHandlers.shift();
        if (handler) handler(res, req);
        else res.end();
        return;
      }
      json(404, { id: 'not_found', message: 'no route' });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

describe('paas logs and drains', () => {
  const api = new LogsApi();
  let home: string;
  let cleanup: () => Promise<void>;
  const cli = (argv: string[]) => runCli(argv, { env: { PAAS_HOME: home } });

  before(async () => {
    await api.start();
    const dir = await tempDir('logs');
    cleanup = dir.cleanup;
    home = join(dir.path, 'home');
    await mkdir(home, { recursive: true });
    await writeFile(join(home, 'cli.json'), JSON.stringify({ api_url: api.url, token: 'tok', email: 'dev@example.com' }));
  });
  after(async () => {
    await api.stop();
    await cleanup();
  });

  it('prints the history and asks for the options given', async () => {
    api.logHandlers.push((res) => {
      res.write('id: 1-0\ndata: 2026-11-25T17:00:00.000000+00:00 app[web.1]: hello\n\n');
      res.end('id: 2-0\ndata: 2026-11-25T17:00:01.000000+00:00 router: at=info\n\nevent: end\ndata: \n\n');
    });
    const r = await cli(['logs', '-a', 'shop', '-n', '5', '--ps', 'web.1', '--source', 'app']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '2026-11-25T17:00:00.000000+00:00 app[web.1]: hello\n2026-11-25T17:00:01.000000+00:00 router: at=info\n');
    assert.equal(api.requests.at(-1)!.path, '/apps/shop/logs?lines=5&ps=web.1&source=app');
  });

  it('--tail reconnects after a dropped connection from the last line it saw', async () => {
    api.requests = [];
    api.logHandlers.push((res) => {
      res.write('id: 1-0\ndata: first\n\n');
      setTimeout(() => res.destroy(), 50); // the connection drops
    });
    api.logHandlers.push((res) => {
      res.write('id: 2-0\ndata: second\n\n');
      setTimeout(() => res.destroy(), 50);
    });
    // A connection that goes quiet (no keep-alive) is given up on too.
    api.logHandlers.push((res) => res.write('id: 3-0\ndata: third\n\n'));
    let out = '';
    let err = '';
    const ctx = new Context({
      io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, stdin: process.stdin },
      env: { PAAS_HOME: home },
      cwd: process.cwd(),
      homeDir: '/nonexistent',
      selfCommand: [],
    });
    const stop = new AbortController();
    const run = showLogs(ctx, { app: 'shop', tail: true }, { idleMs: 300, retryMs: 20, stop: stop.signal });
    const deadline = Date.now() + 5000;
    while (api.requests.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    api.logHandlers.push(() => {}); // keep the rest from ending the test early
    assert.equal(out, 'first\nsecond\nthird\n');
    assert.deepEqual(api.requests.slice(0, 4).map((r) => r.lastEventId), [undefined, '1-0', '2-0', '3-0']);
    assert.match(err, /reconnecting/);
    stop.abort();
    await run;
  });

  it('an app that is not yours is an error, not a retry loop', async () => {
    const r = await cli(['logs', '-a', 'ghost', '--tail']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Couldn't find that app: ghost/);
  });

  it('refuses a bad --source or -n before asking the API', async () => {
    assert.match((await cli(['logs', '-a', 'shop', '--source', 'kernel'])).stderr, /--source must be one of app, router, platform/);
    assert.match((await cli(['logs', '-a', 'shop', '-n', 'x'])).stderr, /--num must be a whole number/);
  });

});

describe('paas drains against the controller', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
    await f.app('shop', { deployed: false });
  });
  after(() => f.close());

  it('drains: add, list with counts, remove; a refused URL is an error naming the rule', async () => {
    const added = await f.cli(['drains:add', 'syslog+tls://logs.example.com:6514', '-a', 'shop']);
    assert.equal(added.code, 0, added.stderr);
    const token = /Successfully added drain syslog\+tls:\/\/logs\.example\.com:6514 \((\S+)\)/.exec(added.stdout)?.[1];
    assert.ok(token, added.stdout);
    const bad = await f.cli(['drains:add', 'ftp://x/', '-a', 'shop']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /scheme ftp is not supported/);
    const [drain] = JSON.parse((await f.cli(['drains', '-a', 'shop', '--json'])).stdout) as { id: string }[];
    // the delivery counts, as the drain's deliverer keeps them
    await f.h.redis.hset(f.h.keys.drainState(drain!.id), { cursor: '0-0', delivered: 340, dropped: 12 });
    const list = await f.cli(['drains', '-a', 'shop']);
    assert.deepEqual(list.stdout.trimEnd().split('\n'), [
      '=== shop Drains',
      `URL                                 Token${' '.repeat(token.length - 3)}Status      Delivered  Dropped`,
      `syslog+tls://logs.example.com:6514  ${token}  delivering  340        12`,
    ]);
    const json = await f.cli(['drains', '-a', 'shop', '--json']);
    assert.equal(JSON.parse(json.stdout)[0].dropped, 12);
    const removed = await f.cli(['drains:remove', 'syslog+tls://logs.example.com:6514', '-a', 'shop']);
    assert.match(removed.stdout, /Successfully removed drain/);
    assert.match((await f.cli(['drains', '-a', 'shop'])).stdout, /shop has no log drains/);
  });
});

describe('ps with usage', () => {
  it('adds CPU and memory columns when the API reports them', () => {
    const now = new Date('2024-05-01T12:00:00Z');
    const dyno = (name: string, cpu: number | null, mem: number | null): Dyno => ({
      id: `id-${name}`,
      name,
      type: 'web',
      state: 'up',
      host: 'local',
      release: { version: 2 },
      command: 'npm start',
      updated_at: now.toISOString(),
      cpu_percent: cpu,
      memory_mb: mem,
    });
    assert.deepEqual(formatProcesses([dyno('web.1', 1.25, 41.6), dyno('web.2', null, null)], now), [
      '=== web (2): npm start',
      'web.1  up  local  v2  just now  cpu 1.3%  mem 42 MB',
      'web.2  up  local  v2  just now  cpu -     mem -',
    ]);
  });
});

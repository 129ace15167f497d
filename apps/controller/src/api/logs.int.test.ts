// The log API over real Redis and PostgreSQL: history, filters, live tail with resume, the seam
// between history and tail, a slow tail client, and the drains API with its URL rules.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { LogEntry } from '@paas/shared';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';

const ts = () => new Date().toISOString();
const appLine = (line: string, process = 'web.1'): LogEntry => ({ ts: ts(), source: 'app', process, line });

/** Reads server-sent events from a streaming GET until `until` says so; resolves with them. */
function readEvents(
  url: string,
  headers: Record<string, string>,
  until: (events: { id: string; data: string }[]) => boolean,
): { done: Promise<{ id: string; data: string }[]>; close: () => void } {
  const events: { id: string; data: string }[] = [];
  let req: http.ClientRequest;
  const done = new Promise<{ id: string; data: string }[]>((resolve, reject) => {
    req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (.*)$/m.exec(block)?.[1] ?? '';
          if (/^event: end/m.test(block)) continue;
          // One event per batch: a data line per log line, the batch's last id.
          for (const [, data] of block.matchAll(/^data: (.*)$/gm)) events.push({ id, data: data! });
        }
        if (until(events)) {
          req.destroy();
          resolve(events);
        }
      });
      res.on('end', () => resolve(events));
      res.on('error', () => resolve(events));
    });
    req.on('error', (err) => (req.destroyed ? resolve(events) : reject(err)));
  });
  return { done, close: () => req.destroy() };
}

describe('app logs API', () => {
  let h: ApiHarness;
  let owner: { token: string; user: { id: string } };
  let stranger: { token: string };
  let server: http.Server;
  let base: string;
  let n = 0;

  before(async () => {
    h = await createApiHarness();
    owner = await h.user('logs-owner@example.com');
    stranger = await h.user('logs-stranger@example.com');
    server = h.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    server.close();
    await h.close();
  });

  const newApp = async () => (await deployedApp(h, `logs-${++n}-${Date.now() % 100000}`, owner.user.id)).app.name;

  test('history: the newest lines in Heroku format, filtered by source and process; 404 for others', async () => {
    const app = await newApp();
    await h.logs.store.append(app, [
      { ts: '2026-11-25T17:00:00.123456789Z', source: 'app', process: 'web.1', line: 'listening on 5000' },
      { ts: '2026-11-25T17:00:01.000Z', source: 'router', process: 'router', line: 'at=info method=GET path="/" status=200' },
      { ts: '2026-11-25T17:00:02.000Z', source: 'app', process: 'worker.1', line: 'working' },
    ]);
    const all = await request(h.app).get(`/apps/${app}/logs`).set(as(owner));
    assert.equal(all.status, 200);
    assert.match(all.headers['content-type']!, /text\/plain/);
    const lines = all.text.trimEnd().split('\n');
    assert.ok(lines.some((l) => l === '2026-11-25T17:00:00.123456+00:00 app[web.1]: listening on 5000'), all.text);
    assert.ok(lines.some((l) => /^2026-11-25T17:00:01\.000000\+00:00 router: at=info method=GET/.test(l)));
    assert.match(all.text, /platform: Release v1 created by logs-owner@example\.com: Deploy aaaaaaa/, 'the deploy wrote a platform line');

    const two = await request(h.app).get(`/apps/${app}/logs?lines=2`).set(as(owner));
    assert.equal(two.text.trimEnd().split('\n').length, 2);
    assert.match(two.text, /worker\.1/);
    const routerOnly = await request(h.app).get(`/apps/${app}/logs?source=router`).set(as(owner));
    assert.equal(routerOnly.text.trimEnd().split('\n').length, 1);
    const web = await request(h.app).get(`/apps/${app}/logs?ps=web`).set(as(owner));
    assert.deepEqual(web.text.trimEnd().split('\n').map((l) => l.split(' ')[1]), ['app[web.1]:']);

    const hidden = await request(h.app).get(`/apps/${app}/logs`).set(as(stranger));
    assert.equal(hidden.status, 404);
    assert.equal(hidden.body.id, 'app_not_found');
    const bad = await request(h.app).get(`/apps/${app}/logs?lines=0&source=kernel`).set(as(owner));
    assert.equal(bad.status, 422);
  });

  test('a destroyed app takes its log with it: a new app of the same name starts empty', async () => {
    const app = await newApp();
    await h.logs.store.append(app, [appLine('secret of the first owner')]);
    assert.equal((await request(h.app).delete(`/apps/${app}`).set(as(owner))).status, 200);
    assert.equal((await request(h.app).post('/apps').set(as(stranger)).send({ name: app })).status, 201);
    const fresh = await request(h.app).get(`/apps/${app}/logs`).set(as(stranger));
    assert.equal(fresh.status, 200);
    assert.equal(fresh.text, '');
  });

  test('tail: new lines arrive as they are written; a reconnect with Last-Event-ID misses and repeats nothing', async () => {
    const app = await newApp();
    const auth = { authorization: `Bearer ${owner.token}` };
    const first = readEvents(`${base}/apps/${app}/logs?tail=true&lines=1`, auth, (e) => e.some((x) => x.data.endsWith('tail-1')));
    await new Promise((r) => setTimeout(r, 200));
    // No timing asserted (the machine is shared): the line arriving on the open tail is the point;
    // how fast is measured by bench/logs.ts.
    await h.logs.store.append(app, [appLine('tail-1')]);
    const seen = await first.done;
    const lastId = seen.at(-1)!.id;
    assert.match(lastId, /^\d+-\d+$/);

    // Lines written while the client is away come on reconnect, once each.
    await h.logs.store.append(app, [appLine('away-1'), appLine('away-2')]);
    const second = readEvents(`${base}/apps/${app}/logs?tail=true`, { ...auth, 'last-event-id': lastId }, (e) => e.some((x) => x.data.endsWith('after-1')));
    await new Promise((r) => setTimeout(r, 200));
    await h.logs.store.append(app, [appLine('after-1')]);
    const resumed = (await second.done).map((e) => e.data.split(': ').slice(1).join(': '));
    assert.deepEqual(resumed, ['away-1', 'away-2', 'after-1']);
  });

  test('the seam between history and tail loses and repeats no line while lines keep coming', async () => {
    const app = await newApp();
    const total = 3000;
    let written = 0;
    const writer = (async () => {
      while (written < total) {
        const batch = Array.from({ length: 50 }, (_, i) => appLine(`seq ${written + i}`));
        await h.logs.store.append(app, batch);
        written += batch.length;
        await new Promise((r) => setImmediate(r));
      }
    })();
    await new Promise((r) => setTimeout(r, 20));
    const tail = readEvents(`${base}/apps/${app}/logs?tail=true&lines=200&ps=web.1`, { authorization: `Bearer ${owner.token}` }, (e) =>
      e.some((x) => x.data.endsWith(`seq ${total - 1}`)),
    );
    await writer;
    const seqs = (await tail.done).map((e) => Number(/seq (\d+)$/.exec(e.data)?.[1]));
    assert.ok(seqs.length > 200);
    for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1]! + 1, `line ${seqs[i - 1]} is followed by ${seqs[i]}`);
    assert.equal(seqs.at(-1), total - 1);
  });

  test('a client that stops reading is bounded: the controller buffers little and says what was skipped', async () => {
    const app = await newApp();
    const { port } = server.address() as AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(`GET /apps/${app}/logs?tail=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${owner.token}\r\nAccept: text/event-stream\r\n\r\n`);
    socket.pause(); // never read: the kernel's buffers fill, then the server's socket stops draining
    await new Promise((r) => setTimeout(r, 200));
    const line = 'x'.repeat(1000);
    let maxBuffered = 0;
    for (let i = 0; i < 60; i++) {
      await h.logs.store.append(app, Array.from({ length: 1000 }, () => appLine(line)));
      maxBuffered = Math.max(maxBuffered, h.logs.tails.bufferedBytes());
    }
    await new Promise((r) => setTimeout(r, 300));
    maxBuffered = Math.max(maxBuffered, h.logs.tails.bufferedBytes());
    assert.equal(h.logs.tails.count >= 1, true);
    assert.ok(maxBuffered < 4 * 1024 * 1024, `60 MB written, ${maxBuffered} bytes buffered for the slow client`);
    // When it reads again it is told that lines were trimmed before it could read them.
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.resume();
    const deadline = Date.now() + 10_000;
    while (!/lines were trimmed/.test(text) && Date.now() < deadline) {
      await h.logs.store.append(app, [appLine('wake')]);
      await new Promise((r) => setTimeout(r, 100));
    }
    socket.destroy();
    assert.match(text, /platform\[logs\]: lines were trimmed/);
  });

  test('drains: add, list, remove; malformed URLs and unsupported schemes are refused with 422', async () => {
    const app = await newApp();
    const loopback = await request(h.app).post(`/apps/${app}/log-drains`).set(as(owner)).send({ url: 'syslog://127.0.0.1:6379' });
    assert.equal(loopback.status, 422);
    assert.match(loopback.body.message, /url: 127\.0\.0\.1 is a loopback address/);
    // Issue 23: every spelling of loopback, link-local and unspecified is refused, not only 127.0.0.1.
    for (const url of ['syslog://127.1:9', 'syslog://0x7f000001:9', 'syslog://2130706433:9', 'syslog://[::ffff:127.0.0.1]:9', 'syslog://localhost:9', 'https://localhost:9/', 'https://169.254.169.254/', 'syslog://[fe80::1]:9', 'syslog://0.0.0.0:9', 'syslog://[::]:9', 'syslog://10.0.0.5:514']) {
      const res = await request(h.app).post(`/apps/${app}/log-drains`).set(as(owner)).send({ url });
      assert.equal(res.status, 422, url);
      assert.match(res.body.message, /is refused|is a loopback address|is a link-local address|not a routable address|private network/, url);
    }
    for (const url of ['not a url', 'ftp://logs.example.com/', 'syslog://logs.example.com', 'http://logs.example.com/']) {
      const res = await request(h.app).post(`/apps/${app}/log-drains`).set(as(owner)).send({ url });
      assert.equal(res.status, 422, url);
      assert.equal(res.body.id, 'invalid_params');
      assert.match(res.body.message, /drain URLs are https:\/\/host\/path, syslog\+tls:\/\/host:port or syslog:\/\/host:port/);
    }
    const added = await request(h.app).post(`/apps/${app}/log-drains`).set(as(owner)).send({ url: 'https://user:secret@logs.example.com/x' });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.url, 'https://user:***@logs.example.com/x');
    assert.match(added.body.token, /^d\.[0-9a-f-]{36}$/);
    assert.deepEqual([added.body.delivered, added.body.dropped], [0, 0]);
    const again = await request(h.app).post(`/apps/${app}/log-drains`).set(as(owner)).send({ url: 'https://user:secret@logs.example.com/x' });
    assert.equal(again.status, 422);
    const syslog = await request(h.app).post(`/apps/${app}/log-drains`).set(as(owner)).send({ url: 'syslog+tls://logs.example.com:6514' });
    assert.equal(syslog.status, 201);
    const list = await request(h.app).get(`/apps/${app}/log-drains`).set(as(owner));
    assert.deepEqual(list.body.map((d: { url: string }) => d.url), ['https://user:***@logs.example.com/x', 'syslog+tls://logs.example.com:6514']);
    const removed = await request(h.app).delete(`/apps/${app}/log-drains/${encodeURIComponent('syslog+tls://logs.example.com:6514')}`).set(as(owner));
    assert.equal(removed.status, 200);
    const byId = await request(h.app).delete(`/apps/${app}/log-drains/${added.body.id}`).set(as(owner));
    assert.equal(byId.status, 200);
    const missing = await request(h.app).delete(`/apps/${app}/log-drains/${added.body.id}`).set(as(owner));
    assert.equal(missing.status, 404);
    assert.equal(missing.body.id, 'drain_not_found');
    const othersApp = await request(h.app).get(`/apps/${app}/log-drains`).set(as(stranger));
    assert.equal(othersApp.status, 404);
  });
});

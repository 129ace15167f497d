// paas run's transport against a real HTTP server (the in-memory runtime): refusals are JSON errors
// before anything runs; a run answers 101 and speaks attach frames until the exit frame.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { FrameDecoder, FrameType, encodeFrame, readExitCode, resizeFrame } from '@paas/shared';
import { findAppByName } from '../db/apps.js';
import { serveUpgrades } from './attach-upgrade.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  json?: { id: string; message: string };
  stdout: string;
  stderr: string;
  exit?: number;
  error?: string;
}

/** A bare attach client: sends `frames` after the 101, collects what comes back. */
function attachRaw(port: number, path: string, token: string, body: string, frames: Buffer[] = [encodeFrame(FrameType.stdin)]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'Upgrade', upgrade: 'tcp' },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text), stdout: '', stderr: '' }));
    });
    req.on('upgrade', (res, socket, head) => {
      const answer: Answer = { status: res.statusCode ?? 0, headers: res.headers, stdout: '', stderr: '' };
      const decoder = new FrameDecoder();
      const onData = (chunk: Buffer): void => {
        for (const f of decoder.push(chunk)) {
          if (f.type === FrameType.stdout) answer.stdout += f.payload.toString();
          if (f.type === FrameType.stderr) answer.stderr += f.payload.toString();
          if (f.type === FrameType.exit) answer.exit = readExitCode(f);
          if (f.type === FrameType.error) answer.error = f.payload.toString();
        }
      };
      onData(head);
      socket.on('data', onData);
      socket.on('close', () => resolve(answer));
      for (const f of frames) socket.write(f);
    });
    req.end(body);
  });
}

describe('attach over an upgraded connection', () => {
  let h: ApiHarness;
  let server: http.Server;
  let port: number;
  let alice: { token: string };
  let bob: { token: string };

  before(async () => {
    h = await createApiHarness();
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
    await request(h.app).post('/apps').set({ Authorization: `Bearer ${alice.token}` }).send({ name: 'shop' }).expect(201);
    const app = (await findAppByName(h.db.pool, 'shop'))!;
    await h.releases.release(app, { image: 'img:1', processTypes: { web: 'npm start' }, buildId: null, description: 'Deploy 1', userId: null });
    server = http.createServer(h.app);
    serveUpgrades(server, h.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await h.close();
  });

  test('a run answers 101 with its name, then its output and exit code as frames', async () => {
    const answer = await attachRaw(port, '/apps/shop/dynos', alice.token, JSON.stringify({ command: 'echo hi', attach: true, tty: true, size: { cols: 80, rows: 24 } }), [
      resizeFrame({ cols: 100, rows: 30 }),
      encodeFrame(FrameType.stdin, 'ignored'),
      encodeFrame(FrameType.stdin),
    ]);
    assert.equal(answer.status, 101);
    assert.equal(answer.headers['paas-process'], 'run.1');
    assert.equal(answer.stdout, 'echo hi\n');
    assert.equal(answer.exit, 0);
    const run = h.runtime.runs.at(-1)!;
    assert.deepEqual([run.attached, run.tty, run.size, run.image, run.index], [true, true, { cols: 80, rows: 24 }, 'img:1', 1]);
  });

  test('refusals are JSON errors with a real status, and nothing runs', async () => {
    const count = h.runtime.runs.length;
    const cases: [string, string, string, number, RegExp][] = [
      ['/apps/shop/dynos', alice.token, JSON.stringify({ command: '' }), 422, /^command: is empty/],
      ['/apps/shop/dynos', alice.token, JSON.stringify({ command: '  ' }), 422, /^command: is empty/],
      ['/apps/shop/dynos', alice.token, JSON.stringify({}), 422, /^command: is required/],
      ['/apps/shop/dynos', alice.token, '{not json', 422, /not valid JSON/],
      ['/apps/shop/dynos', alice.token, JSON.stringify({ command: 'ls', size: { cols: 0, rows: 1 } }), 422, /^size.cols/],
      ['/apps/shop/dynos', 'forged', JSON.stringify({ command: 'ls' }), 401, /invalid token/],
      ['/apps/shop/dynos', bob.token, JSON.stringify({ command: 'ls' }), 404, /Couldn't find that app: shop/],
      ['/apps/nope/dynos', alice.token, JSON.stringify({ command: 'ls' }), 404, /Couldn't find that app: nope/],
      ['/apps/shop/config-vars', alice.token, JSON.stringify({ command: 'ls' }), 404, /no upgrade at POST/],
    ];
    for (const [path, token, body, status, message] of cases) {
      const answer = await attachRaw(port, path, token, body);
      assert.equal(answer.status, status, `${path} ${body}`);
      assert.match(answer.json?.message ?? '', message);
    }
    assert.equal(h.runtime.runs.length, count);
  });
});

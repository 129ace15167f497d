// `paas logs --tail` (the CLI's own loop) against the real controller API over real Redis and
// PostgreSQL: while lines keep coming, the controller drops the tail's connection again and again;
// the CLI reconnects from the last event it saw, and prints every line once, in order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogEntry } from '@paas/shared';
import { createApiHarness, type ApiHarness } from '../../apps/controller/src/api/test-harness.js';
import { deployedApp } from '../../apps/controller/src/api/test-fixtures.js';
import { Context } from '../../apps/cli/src/context.js';
import { showLogs } from '../../apps/cli/src/commands/logs.js';
import { eventually } from '@paas/test-kit';

let h: ApiHarness;
let server: Server;
let home: string;

before(async () => {
  h = await createApiHarness();
  server = h.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  home = await mkdtemp(join(tmpdir(), 'paas-tail-reconnect-'));
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await h.close();
  await rm(home, { recursive: true, force: true });
});

test('--tail reconnects after dropped connections without losing or repeating a line', async () => {
  const owner = await h.user('tail-reconnect@example.com');
  const app = (await deployedApp(h, 'tail-reconnect', owner.user.id)).app.name;
  const cliHome = join(home, 'cli');
  await mkdir(cliHome, { recursive: true });
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await writeFile(join(cliHome, 'cli.json'), JSON.stringify({ api_url: apiUrl, token: owner.token, email: 'tail-reconnect@example.com' }));
  let out = '';
  let err = '';
  const ctx = new Context({
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, stdin: process.stdin },
    env: { PAAS_HOME: cliHome },
    cwd: home,
    homeDir: '/nonexistent',
    selfCommand: [],
  });
  const line = (text: string): LogEntry => ({ ts: new Date().toISOString(), source: 'app', process: 'web.1', line: text });
  const stop = new AbortController();
  const tail = showLogs(ctx, { app, tail: true, num: '1' }, { idleMs: 30_000, retryMs: 20, stop: stop.signal });
  try {
    await h.logs.store.append(app, [line('ready')]);
    await eventually(() => out.includes('ready'), 'the tail to be following', 60_000);

    // Rounds of 50 lines; every fifth round the controller drops the connection mid-stream (the
    // server keeps listening) and 200 more lines come while the CLI is away. Each round waits for
    // the tail to catch up, so the stream (1,500 lines in the harness) never trims an unread line.
    let written = 0;
    let drops = 0;
    const write = async (n: number): Promise<void> => {
      await h.logs.store.append(app, Array.from({ length: n }, (_, i) => line(`seq ${written + i}`)));
      written += n;
    };
    for (let round = 1; round <= 40; round++) {
      await write(50);
      if (round % 5 === 0) {
        server.closeAllConnections();
        drops += 1;
        await write(200);
      }
      await eventually(() => out.includes(`seq ${written - 1}\n`), `the tail to print seq ${written - 1}`, 60_000);
    }
    const total = written;
    const seqs = out
      .split('\n')
      .map((l) => /app\[web\.1\]: seq (\d+)$/.exec(l)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number);
    const wrong = seqs.map((s, i) => [i, s] as const).filter(([i, s]) => s !== i);
    assert.equal(seqs.length, total, `${seqs.length} lines printed; first out of place: ${JSON.stringify(wrong.slice(0, 3))}; stderr: ${err}`);
    assert.deepEqual(wrong, [], 'every line once, in order');
    assert.equal(drops, 8);
    assert.match(err, /reconnecting/);
  } finally {
    stop.abort();
    server.closeAllConnections();
    await tail;
    // The controller's side of the last connection ends too before the harness closes.
    await eventually(() => h.logs.tails.count === 0, 'the controller to close its tails', 60_000);
  }
});

test('a tail resuming after lines were trimmed is told so', async () => {
  const owner = await h.user('tail-trimmed@example.com');
  const app = (await deployedApp(h, 'tail-trimmed', owner.user.id)).app.name;
  const line = (text: string): LogEntry => ({ ts: new Date().toISOString(), source: 'app', process: 'web.1', line: text });
  await h.logs.store.append(app, [line('first')]);
  const { entries } = await h.logs.store.history(app, 1);
  // More lines than the stream keeps (1,500 in the harness): 'first' and those after it are trimmed.
  for (let i = 0; i < 4; i++) await h.logs.store.append(app, Array.from({ length: 1000 }, (_, j) => line(`later ${i * 1000 + j}`)));
  const abort = new AbortController();
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/apps/${app}/logs?tail=true`, {
    headers: { authorization: `Bearer ${owner.token}`, accept: 'text/event-stream', 'last-event-id': entries[0]!.id },
    signal: abort.signal,
  });
  assert.equal(res.status, 200);
  let text = '';
  const decoder = new TextDecoder();
  const reader = res.body!.getReader();
  try {
    while (!/later 3999/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    abort.abort();
  }
  assert.match(text, /platform\[logs\]: lines were trimmed from the log before this client read them/);
  const note = text.indexOf('lines were trimmed');
  assert.ok(note < text.search(/app\[web\.1\]: later/), 'told before the first line after the gap');
});

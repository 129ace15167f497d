// The controller the fuzzer attacks, in a process of its own (so a crash is seen, not suffered): the
// API as the tests build it (createApiHarness: real PostgreSQL and Redis, in-memory runtime), served
// on a loopback port with main.ts's server settings. It prints one JSON line when ready, then
// answers the fuzzer's questions over IPC: the longest event-loop stall since the last question,
// and whether the database is consistent.
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createLogger } from '@paas/shared';
import { createApiHarness } from '../../apps/controller/src/api/test-harness.js';
import { createApiServer } from '../../apps/controller/src/api/http-server.js';
import { dbProblems } from '../helpers/db-consistency.js';

export interface ReadyLine {
  pid: number;
  port: number;
  app: string;
  userToken: string;
  /** The fuzz user's email (its password is createApiHarness's). */
  email: string;
  /** What a crashed controller leaves behind, for the fuzzer to remove. */
  database: string;
  redisPrefix: string;
}

export type FuzzQuestion = { q: 'stall' } | { q: 'check' } | { q: 'token' } | { q: 'close' };
export type FuzzAnswer = { q: 'stall'; maxMs: number; pid: number } | { q: 'check'; problems: string[] } | { q: 'token'; token: string } | { q: 'close' };

// Errors only, as JSON lines on stdout after the ready line: the fuzzer groups the 500s it finds by their logged cause.
const log = createLogger('controller', 'error');
const h = await createApiHarness({ defaultQuota: { apps: 50, processes: 200 }, log });
// Served as main.ts serves it: request deadlines, upgrades.
const server = createApiServer(h.app, log);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;

const { token, user } = await h.user('fuzz@example.com');
const app = 'fuzz-target';
const created = await fetch(`http://127.0.0.1:${port}/apps`, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ name: app }),
});
if (created.status !== 201) throw new Error(`could not create the fuzz app: ${created.status} ${await created.text()}`);

const delay = monitorEventLoopDelay({ resolution: 2 });
delay.enable();

/** The invariants, asked again for a few seconds while work a request started in the background (a reconcile) finishes. */
async function check(): Promise<string[]> {
  let problems = await checkOnce();
  for (let i = 0; i < 10 && problems.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 500));
    problems = await checkOnce();
  }
  return problems;
}

function checkOnce(): Promise<string[]> {
  return dbProblems(h.db.pool);
}

process.on('message', (m: FuzzQuestion) => {
  const answer = (a: FuzzAnswer): void => void process.send?.(a);
  if (m.q === 'stall') {
    const maxMs = delay.max / 1e6;
    delay.reset();
    answer({ q: 'stall', maxMs, pid: process.pid });
  } else if (m.q === 'token') {
    // A fuzzed request may have revoked the session (DELETE /auth/session): a new one.
    answer({ q: 'token', token: h.tokens.issueSession(user) });
  } else if (m.q === 'check') {
    void check().then((problems) => answer({ q: 'check', problems }));
  } else if (m.q === 'close') {
    delay.disable();
    server.closeAllConnections();
    server.close();
    void h.close().finally(() => {
      answer({ q: 'close' });
      process.disconnect?.();
    });
  }
});

const ready: ReadyLine = { pid: process.pid, port, app, userToken: token, email: 'fuzz@example.com', database: new URL(h.db.url).pathname.slice(1), redisPrefix: h.keys.prefix };
process.stdout.write(`${JSON.stringify(ready)}\n`);

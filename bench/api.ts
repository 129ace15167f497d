/**
 * Controller API latency under load: the controller's express app (real PostgreSQL, the in-memory
 * runtime, so the figures are the API's and the database's, not Docker's) on 127.0.0.1, driven by an
 * open-loop load generator in a second process at a constant rate. `GET /apps` (token check, policy,
 * a paginated list) and `PATCH /apps/{app}/formation` (policy, the owner's quota lock, the formation
 * write, the audit record, and reconciling the app's processes and route).
 */
import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createApiHarness, type ApiHarness } from '../apps/controller/src/api/test-harness.js';
import { deployedApp } from '../apps/controller/src/api/test-fixtures.js';
import pg from 'pg';
import request from 'supertest';

const generator = fileURLToPath(new URL('./api-load-generator.ts', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));

export interface ApiBenchOptions {
  /** Requests per second: the target rate, and a lighter one for reference. */
  rates?: number[];
  /** Measured seconds per scenario (after a warm-up of 2 s). */
  seconds?: number;
  users?: number;
  appsPerUser?: number;
}

interface LoadResult {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
  maxInFlight: number;
  achievedRate: number;
}

function load(plan: object): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', generator, JSON.stringify(plan)],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`load generator failed: ${stderr || err.message}`));
        else resolve(JSON.parse(stdout) as LoadResult);
      },
    );
  });
}

export async function benchApi(options: ApiBenchOptions = {}): Promise<string> {
  const rates = options.rates ?? [100, 500];
  const seconds = options.seconds ?? 10;
  const users = options.users ?? 10;
  const appsPerUser = options.appsPerUser ?? 5;
  // As many PostgreSQL connections as the controller has (main.ts).
  const h: ApiHarness = await createApiHarness({ poolMax: 20 });
  const server = await new Promise<Server>((resolve) => {
    const s = h.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const tokens: string[] = [];
    const apps: { name: string; token: string }[] = [];
    for (let u = 0; u < users; u++) {
      const { user, token } = await h.user(`bench-${u}@example.com`);
      tokens.push(token);
      for (let a = 0; a < appsPerUser; a++) {
        const name = `bench-${u}-${a}`;
        await deployedApp(h, name, user.id);
        apps.push({ name, token });
      }
    }
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });
    const plan = (rate: number, requests: object[]) => ({ url, rate, durationMs: seconds * 1000, warmupMs: 2000, timeoutMs: 10_000, requests });
    const load1 = loadavg()[0]!;
    const listRequests = tokens.map((t) => ({ method: 'GET', path: '/apps', headers: auth(t) }));
    // Each app's worker is scaled to 1 then back to 0 in turn, so every request changes the formation
    // and starts or stops a process (web is left alone: route switches are the router benchmark's).
    const scaleRequests = [1, 0].flatMap((quantity) =>
      apps.map((a) => ({
        method: 'PATCH',
        path: `/apps/${a.name}/formation`,
        headers: auth(a.token),
        body: { updates: [{ type: 'worker', quantity }] },
      })),
    );
    const ms = (x: number) => x.toFixed(1);
    const ok = (r: LoadResult) => {
      const others = Object.entries(r.statuses).filter(([s]) => s !== '200').map(([s, n]) => `${n} ${s}`);
      return `${r.statuses['200'] ?? 0} / ${r.count}${others.length ? ` (${others.join(', ')})` : ''}`;
    };
    // The controller's own CPU time per request (this process serves the API): what the rate costs,
    // whatever else the machine is doing.
    const measured = async (p: ReturnType<typeof plan>): Promise<LoadResult & { cpuMs: number }> => {
      const before = process.cpuUsage();
      const r = await load(p);
      const used = process.cpuUsage(before);
      const served = r.count + (p.rate * p.warmupMs) / 1000; // the warm-up's requests cost CPU too
      return { ...r, cpuMs: (used.user + used.system) / 1000 / served };
    };
    const row = (name: string, r: LoadResult & { cpuMs: number }) =>
      `| ${name} | ${Math.round(r.achievedRate)} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${ms(r.max)} | ${ok(r)} | ${r.cpuMs.toFixed(2)} | ${r.p99 <= 20 ? 'met' : 'missed'} |`;
    // After an overloaded run the controller is still working through abandoned requests: wait
    // until no database connection has been busy for half a second.
    const settle = async (): Promise<void> => {
      const pool = h.db.pool;
      for (let quiet = 0; quiet < 10; ) {
        await new Promise((r) => setTimeout(r, 50));
        quiet = pool.waitingCount === 0 && pool.idleCount === pool.totalCount ? quiet + 1 : 0;
      }
    };
    const rows: string[] = [];
    const queries = await countQueries(h, apps[0]!);
    for (const rate of rates) {
      await settle();
      rows.push(row('`GET /apps`', await measured(plan(rate, listRequests))));
      await settle();
      rows.push(row('`PATCH /apps/{app}/formation`', await measured(plan(rate, scaleRequests))));
    }

    return [
      '## Controller API latency under load',
      '',
      `An open-loop generator in a second process fires requests at a constant rate for ${seconds} s (after 2 s of warm-up) at the controller's API on 127.0.0.1, `,
      `each latency counted from when the request was due. ${users} users with ${appsPerUser} deployed apps each, session tokens, real PostgreSQL; `,
      "the in-memory runtime stands in for Docker, so scaling (a worker process up, then down) measures the API, the owner's quota lock, the audit record and the reconcile, not container start-up. ",
      `Requests unanswered after 10 s are abandoned (counted in the 200 OK column's denominator). The generator, the controller and PostgreSQL share this machine's ${cpus().length} cores; the 1-minute load average was ${load1.toFixed(1)} when the run began and ${loadavg()[0]!.toFixed(1)} when it ended. `,
      `"CPU" is the controller's own CPU time per request (user + system, PostgreSQL's not included): at a rate R it needs R × CPU of a core. `,
      `SQL round trips per request: \`GET /apps\` ${queries.list}, \`PATCH /apps/{app}/formation\` ${queries.scale}.`,
      '',
      '| request | rate (req/s) | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | 200 OK | CPU (ms/req) | p99 ≤ 20 ms |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n');
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  }
}

/**
 * SQL round trips one request of each kind sends, once warm: every client's queries counted while it
 * runs, except those handed to a pipelined connection while it still had queries in flight (they go
 * in the same round trip: see db/sql-batch.ts).
 */
async function countQueries(h: ApiHarness, app: { name: string; token: string }): Promise<{ list: number; scale: number }> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let n = 0;
  type InFlight = { _activeQuery?: unknown; _queryQueue?: unknown[]; _sentQueryQueue?: unknown[] };
  proto.query = function (this: InFlight, ...args: unknown[]) {
    if (!this._activeQuery && !this._queryQueue?.length && !this._sentQueryQueue?.length) n++;
    return original.apply(this, args);
  };
  try {
    const auth = { authorization: `Bearer ${app.token}` };
    await request(h.app).get('/apps').set(auth).expect(200);
    await request(h.app).patch(`/apps/${app.name}/formation`).set(auth).send({ updates: [{ type: 'worker', quantity: 0 }] }).expect(200);
    n = 0;
    await request(h.app).get('/apps').set(auth).expect(200);
    const list = n;
    n = 0;
    await request(h.app).patch(`/apps/${app.name}/formation`).set(auth).send({ updates: [{ type: 'worker', quantity: 0 }] }).expect(200);
    return { list, scale: n };
  } finally {
    proto.query = original;
  }
}

/**
 * npm run bench -- faults: one fault at a time under a steady load through the router (one request
 * every 20 ms to a deployed static app), on a supervised platform with a private PostgreSQL and a
 * private Redis (the shared ones are never touched). For each fault: the seconds until the platform
 * recovered (what "recovered" means is in the table), the requests that failed while it lasted, and
 * the data lost (apps, releases, the route and the page served, compared before and after).
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import Docker from 'dockerode';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '@paas/test-kit';
import { gitPush, gitRepo, httpGet, repoRoot, startPlatform, type Platform } from '../test/helpers/platform.js';
import { startPrivatePostgres } from '../test/helpers/private-postgres.js';
import { startPrivateRedis } from '../test/helpers/private-redis.js';
import { steadyLoad } from '../test/helpers/steady-load.js';

interface Row {
  fault: string;
  recovered: string;
  seconds: number;
  failed: number;
  requests: number;
  lost: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until it is true; the seconds since `from`. */
async function until(check: () => Promise<boolean>, from: number, limitS = 120): Promise<number> {
  while (Date.now() - from < limitS * 1000) {
    if (await check().catch(() => false)) return (Date.now() - from) / 1000;
    await sleep(100);
  }
  throw new Error(`no recovery within ${limitS} s`);
}

export async function benchFaults(): Promise<string> {
  const db = await startPrivatePostgres();
  const redis = await startPrivateRedis();
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query('CREATE DATABASE paas');
  await admin.end();
  const p = await startPlatform({
    supervised: true,
    env: { DATABASE_URL: db.url.replace(/\/postgres$/, '/paas'), REDIS_URL: redis.url, PAAS_RECONCILE_INTERVAL: '15' },
  });
  const work = await mkdtemp(join(tmpdir(), 'paas-bench-faults-'));
  const docker = new Docker();
  const app = `faults-${randomBytes(3).toString('hex')}`;
  const rows: Row[] = [];
  /** The container or process the current fault killed. */
  let measureOld = '';
  let measurePid = 0;
  try {
    const token = (JSON.parse(await readFile(join(p.home, 'cli.json'), 'utf8')) as { token: string }).token;
    const api = async (path: string): Promise<Response> =>
      fetch(`${p.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) });
    if ((await p.paas(['apps:create', app])).code !== 0) throw new Error('apps:create failed');
    const dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/static-site'), dir, { recursive: true });
    await gitRepo(dir);
    await p.paas(['git:remote', '-a', app], { cwd: dir });
    const pushed = await gitPush(p, dir);
    if (pushed.code !== 0) throw new Error(`push failed:\n${pushed.output}`);
    const page = (await p.get(app)).body;

    /** What must survive every fault: the app, its releases, the page served. */
    const state = async (): Promise<string> => {
      const releases = (await (await api(`/apps/${app}/releases`)).json()) as { version: number }[];
      return JSON.stringify({ releases: releases.map((r) => r.version), page: (await p.get(app)).body === page });
    };
    const before = await state();

    const measure = async (fault: string, recovered: string, inject: () => Promise<number>, done: (from: number) => Promise<boolean>): Promise<void> => {
      const load = steadyLoad(() => p.get(app), { pauseMs: 20 });
      await sleep(1000);
      const from = await inject();
      const seconds = await until(() => done(from), from);
      await sleep(1000);
      const { requests, failed } = await load.stop();
      const after = await until(async () => (await state()) === before, Date.now(), 60).then(
        () => 'none',
        () => 'yes',
      );
      rows.push({ fault, recovered, seconds, failed, requests, lost: after });
      console.error(`${fault}: ${seconds.toFixed(1)} s, ${failed}/${requests} failed, lost: ${after}`);
    };
    const pidChanged = async (c: 'controller' | 'builder' | 'router', old: number): Promise<boolean> => {
      const now = await p.pid(c);
      return now !== undefined && now !== old;
    };
    const webContainer = async (): Promise<Docker.ContainerInfo | undefined> =>
      (await docker.listContainers({ filters: { label: [`paas.cluster=${p.cluster}`, `paas.app=${app}`, 'paas.process=web.1'] } }))[0];

    await measure(
      'web process killed (docker kill)',
      'a new web.1 runs and the app answers',
      async () => {
        const c = (await webContainer())!;
        await docker.getContainer(c.Id).kill();
        measureOld = c.Id;
        return Date.now();
      },
      async () => {
        const c = await webContainer();
        return c !== undefined && c.Id !== measureOld && c.State === 'running' && (await p.get(app)).status === 200;
      },
    );
    for (const c of ['controller', 'builder', 'router'] as const) {
      await measure(
        `${c} SIGKILLed`,
        c === 'router' ? 'restarted by the supervisor, the app answers' : c === 'controller' ? 'restarted by the supervisor, /health answers' : 'restarted by the supervisor',
        async () => {
          measurePid = (await p.pid(c))!;
          process.kill(measurePid, 'SIGKILL');
          return Date.now();
        },
        async () => (await pidChanged(c, measurePid)) && (c === 'controller' ? (await api('/health')).ok : c === 'router' ? (await p.get(app)).status === 200 : true),
      );
    }
    // Two routers (README: "Two routers"): the second one SIGKILLed and started again, the load on the first.
    const secondPort = await freePort();
    const secondTlsPort = await freePort();
    // its own internal listener too (the first router holds the platform's)
    const secondInternalPort = await freePort();
    const startSecond = (): ChildProcess =>
      spawn(process.execPath, [join(repoRoot, 'apps', 'router', 'dist', 'main.js')], {
        env: { ...p.env, PAAS_ROUTER_PORT: String(secondPort), PAAS_ROUTER_TLS_PORT: String(secondTlsPort), PAAS_ROUTER_WORKERS: '1', PAAS_ROUTER_INTERNAL_PORT: String(secondInternalPort) },
        stdio: 'ignore',
      });
    let second = startSecond();
    try {
      await until(async () => (await httpGet(secondPort, `${app}.localhost`, '/')).status === 200, Date.now(), 60);
      await measure(
        'one of two routers SIGKILLed (load on the other)',
        'restarted, the app answers through it',
        async () => {
          second.kill('SIGKILL');
          await new Promise((r) => second.once('exit', r));
          second = startSecond();
          return Date.now();
        },
        async () => (await httpGet(secondPort, `${app}.localhost`, '/')).status === 200,
      );
    } finally {
      second.kill('SIGKILL');
    }
    await measure(
      'PostgreSQL restarted',
      'the API answers 200 again',
      async () => {
        await db.stop();
        await sleep(3000);
        await db.start();
        return Date.now();
      },
      async () => (await api('/apps')).ok,
    );
    await measure(
      'Redis restarted empty',
      'the whole route table written back',
      async () => {
        await redis.kill();
        await sleep(1000);
        await redis.start();
        return Date.now();
      },
      async () => {
        const r = new Redis(redis.url, { maxRetriesPerRequest: 1 });
        try {
          return (await r.hexists(`${p.env['PAAS_REDIS_PREFIX']!}:routes`, app)) === 1 && (await r.exists(`${p.env['PAAS_REDIS_PREFIX']!}:routes:epoch`)) === 1;
        } finally {
          r.disconnect();
        }
      },
    );
  } finally {
    await p.stop();
    await redis.remove();
    await db.remove();
    await rm(work, { recursive: true, force: true });
  }
  const lines = [
    '## Faults',
    '',
    'One fault at a time on a supervised platform (`scripts/supervisor.mjs`, as `npm run up` runs it) with a private PostgreSQL and Redis,',
    'under a steady load through the router (one request every 20 ms to a deployed static app, from 1 s before the fault to 1 s after recovery).',
    'Seconds to recover: from the fault (for PostgreSQL and Redis: from the server being back) to what the second column says.',
    'Data lost: the app\'s releases and the page it serves compared before and after (none: identical).',
    'The router row is a lone router: its clients fail until the supervisor has it back; with two routers (the next row) the other\'s clients see nothing.',
    '',
    '| Fault | Recovered when | Seconds to recover | Requests failed (of) | Data lost |',
    '|---|---|---:|---:|---|',
    ...rows.map((r) => `| ${r.fault} | ${r.recovered} | ${r.seconds.toFixed(1)} | ${r.failed} (${r.requests}) | ${r.lost} |`),
    '',
  ];
  return lines.join('\n');
}

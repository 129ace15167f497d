/**
 * The cost of isolation (issue 14), in one run.
 *
 * Push to live: the attacker fixture (node, no dependencies) pushed to a new app, on a platform with
 * isolation as it ships (per-app network, host firewall on, hardened containers) and on one with as
 * little of it as the code allows — the firewall off and the app given the engine's default
 * capabilities, its image's root user, no no-new-privileges and no PID limit to speak of by the
 * admin's per-app exception; per-app networks cannot be turned off. Interleaved rounds, medians.
 *
 * Router req/s: one paas router process (2 workers) and a node backend, under wrk: the backend
 * reached directly (what any app could do to any other before isolation), through the public
 * listener (`<app>.<domain>`), and through the internal listener (`<app>.internal`: the source told
 * by its address, its access checked on every request). Interleaved rounds, medians.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisInternalAccess, RedisKeys, RedisRouteStore } from '@paas/shared';
import { testRedisUrl } from '@paas/test-kit';
import { gitRepo, repoRoot, startPlatform, type Platform } from '../test/helpers/platform.js';
import { ensureTools, freePort, median, root, startChild, stop, wrk } from './bench-processes.js';

/** Seconds from `git push` of a new app until it answers through the router; `loosened`: the admin's exception set first. */
async function pushToLive(p: Platform, app: string, work: string, loosened: boolean): Promise<number> {
  const created = await p.paas(['apps:create', app]);
  if (created.code !== 0) throw new Error(created.stderr);
  // set before the first push: the app's containers are created with it
  if (loosened) await loosen(p, app);
  const dir = join(work, app);
  await cp(join(repoRoot, 'test/fixtures/attacker'), dir, { recursive: true });
  await gitRepo(dir);
  await p.paas(['git:remote', '-a', app], { cwd: dir });
  const started = performance.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn('git', ['push', 'paas', 'main'], { cwd: dir, env: { ...p.env, GIT_TERMINAL_PROMPT: '0' }, stdio: 'ignore' });
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`push to ${app} failed`);
  for (;;) {
    if ((await p.get(app, '/status')).status === 200) return (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The admin's per-app exception that gives an app what containers had before issue 14. */
async function loosen(p: Platform, app: string): Promise<void> {
  const { token } = JSON.parse(await readFile(join(p.home, 'cli.json'), 'utf8')) as { token: string };
  const res = await fetch(`${p.apiUrl}/admin/apps/${app}/hardening`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      cap_add: ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'],
      pids_limit: 1_000_000,
      image_user: true,
      no_new_privileges: false,
      reason: 'benchmark: isolation off',
    }),
  });
  if (!res.ok) throw new Error(`hardening exception: ${res.status} ${await res.text()}`);
}

async function benchPushes(rounds: number): Promise<{ before: number[]; after: number[] }> {
  const before: number[] = [];
  const after: number[] = [];
  const work = await mkdtemp(join(tmpdir(), 'paas-bench-iso-'));
  // one platform each, both up for the whole run, so the rounds interleave
  const open = await startPlatform({ env: { PAAS_FIREWALL: 'off', PAAS_ROUTER_INTERNAL_PORT: '0' } });
  const isolated = await startPlatform({ env: { PAAS_FIREWALL: 'on' } });
  try {
    for (let i = 0; i < rounds; i++) {
      const tag = randomBytes(2).toString('hex');
      before.push(await pushToLive(open, `open-${tag}`, work, true));
      after.push(await pushToLive(isolated, `iso-${tag}`, work, false));
    }
  } finally {
    await open.stop();
    await isolated.stop();
    await rm(work, { recursive: true, force: true });
  }
  return { before, after };
}

async function benchRouterPaths(rounds: number, duration: string): Promise<Record<string, number[]>> {
  ensureTools({ wrk: 'wrk' });
  const prefix = `paas-bench-iso-${randomBytes(4).toString('hex')}`;
  const keys = new RedisKeys(prefix);
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  const children: ChildProcess[] = [];
  try {
    const [backendPort, routerPort, tlsPort, internalPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    children.push(await startChild('backend', process.execPath, ['--import', 'tsx', join(root, 'bench/router-backend.ts'), String(backendPort), 'A'], {}, backendPort));
    await new RedisRouteStore(redis, keys).set({
      app: 'target',
      domains: ['target.localhost'],
      backends: [{ process: 'web.1', container: 'a', host: '127.0.0.1', port: backendPort }],
      release: 1,
      version: 1,
    });
    // wrk connects from 127.0.0.1: that is the caller app's network on this host here
    const table = new RedisInternalAccess(redis, keys);
    await table.replaceHostSubnets('local', [{ subnet: '127.0.0.0/8', app: 'caller' }]);
    await table.setAllowed('target', ['caller']);
    const env = {
      ...process.env,
      REDIS_URL: testRedisUrl(),
      PAAS_REDIS_PREFIX: prefix,
      PAAS_ROUTER_PORT: String(routerPort),
      PAAS_ROUTER_TLS_PORT: String(tlsPort),
      PAAS_ROUTER_HOST: '127.0.0.1',
      PAAS_ROUTER_INTERNAL_PORT: String(internalPort),
      PAAS_ROUTER_INTERNAL_HOST: '127.0.0.1',
      PAAS_ROUTER_WORKERS: '2',
      LOG_LEVEL: 'warn',
    } as Record<string, string>;
    children.push(await startChild('router', process.execPath, [join(root, 'apps/router/dist/main.js')], env, routerPort));
    const targets: [string, number, string][] = [
      ['direct to the process (any app, before isolation)', backendPort, 'target.localhost'],
      ['public listener (`target.localhost`)', routerPort, 'target.localhost'],
      ['internal listener (`target.internal`, allowed source)', internalPort, 'target.internal'],
    ];
    const results: Record<string, number[]> = Object.fromEntries(targets.map(([n]) => [n, []]));
    for (const [, port, host] of targets) await wrk(port, host, ['-t2', '-c20', '-d1s']); // warm up
    for (let i = 0; i < rounds; i++) {
      for (const [name, port, host] of targets) {
        const r = await wrk(port, host, ['-t2', '-c50', `-d${duration}`]);
        if (r.errors > 0) throw new Error(`${name}: ${r.errors} errors`);
        results[name]!.push(r.rps);
      }
    }
    return results;
  } finally {
    for (const c of children.reverse()) await stop(c);
    const left = await redis.keys(`${prefix}:*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
  }
}

export async function benchIsolation(): Promise<string> {
  const load = [loadavg()[0]!];
  const router = await benchRouterPaths(3, '5s');
  load.push(loadavg()[0]!);
  const pushes = await benchPushes(3);
  load.push(loadavg()[0]!);
  const fmt = (xs: number[], d = 1): string => xs.map((x) => x.toFixed(d)).join(', ');
  const direct = median(Object.values(router)[0]!);
  return [
    '## The cost of isolation (issue 14)',
    '',
    'One run. Router: one paas router (2 workers) and a node backend under wrk (2 threads, 50 connections, 5 s), three interleaved rounds. ' +
      'Push to live: the attacker fixture (node, no dependencies) to a new app per round, from `git push` until the app answers through the router, ' +
      'on a platform without the firewall with the app given the engine\'s default capabilities, root and no PID limit by the admin\'s per-app exception ("before"), ' +
      'and on one as it ships ("after"); three interleaved rounds. Per-app networks cannot be turned off, so both sides have them.',
    '',
    '| path | median req/s | all rounds | vs direct |',
    '| --- | --- | --- | --- |',
    ...Object.entries(router).map(([name, xs]) => `| ${name} | ${median(xs).toFixed(0)} | ${fmt(xs, 0)} | ${((median(xs) / direct) * 100).toFixed(0)}% |`),
    '',
    '| push to live | median (s) | all rounds (s) |',
    '| --- | --- | --- |',
    `| before: firewall off, engine-default capabilities, root, no PID limit | ${median(pushes.before).toFixed(1)} | ${fmt(pushes.before)} |`,
    `| after: firewall on, no capabilities, no-new-privileges, uid 10000, PID limit 512 | ${median(pushes.after).toFixed(1)} | ${fmt(pushes.after)} |`,
    '',
    `The 1-minute load average was ${load.map((l) => l.toFixed(1)).join(', ')} (start, after the router rounds, end; 2 cores shared with other runs).`,
    'Reading it: the internal listener writes no access lines to Redis (the public one does), which is why it can be the faster of the two; ' +
      'its per-request cost over the public path is the address lookup and the allow check. What isolation costs an app-to-app call is the hop through the router ' +
      '(direct vs internal listener), the price of refusing every call that is not allowed. Push to live compares two platforms on a loaded machine: ' +
      'compare the spread of the rounds with the difference of the medians before reading a cost into it (the firewall check and the hardened container options add no build step).',
    '',
  ].join('\n');
}

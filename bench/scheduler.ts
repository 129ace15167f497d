/**
 * The scheduler on real engines (the local one + two Docker-in-Docker hosts): `paas scale web=10`
 * to ten processes serving, failed requests during a release under continuous load, and seconds from
 * a host's loss to its processes serving elsewhere.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { commitAll, gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../test/helpers/platform.js';
import { removeDindHosts, startDindHosts } from '../test/helpers/dind.js';

interface Dyno {
  name: string;
  state: string;
  host: string;
}

async function dynos(p: Platform, app: string): Promise<Dyno[]> {
  const r = await p.paas(['ps', '--json', '-a', app]);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Dyno[];
}

/** The machine is shared: each figure is reported with the 1-minute load average when it was taken. */
const load = (): string => loadavg()[0]!.toFixed(1);

/** When the controller logged each of `app`'s processes as started (container running), since `since`. */
async function startedAfter(p: Platform, app: string, since: number): Promise<number[]> {
  const lines = (await p.logs()).split('\n').filter((l) => l.startsWith('{"'));
  const times: number[] = [];
  for (const line of lines) {
    try {
      const l = JSON.parse(line) as { time?: number; msg?: string; app?: string };
      if (l.msg === 'process started' && l.app === app && l.time !== undefined && l.time >= since) times.push((l.time - since) / 1000);
    } catch {
      // not a log record
    }
  }
  return times;
}

const spreadOf = (ds: Dyno[]): string => {
  const spread = new Map<string, number>();
  for (const d of ds) spread.set(d.host, (spread.get(d.host) ?? 0) + 1);
  return [...spread.entries()].sort().map(([h, n]) => `${h.replace(/-[0-9a-f]{6}-/, '-')}: ${n}`).join(', ');
};

export async function until(ok: () => Promise<boolean>, limitMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    if (await ok().catch(() => false)) return (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

export async function benchScheduler(): Promise<string> {
  const hosts = await startDindHosts(2, 'bench');
  const p = await startPlatform({ env: { PAAS_HOST_CHECK_INTERVAL: '1', PAAS_RECONCILE_INTERVAL: '3', PAAS_DRAIN_SECONDS: '2', PAAS_STOP_GRACE: '2' } });
  const work = await mkdtemp(join(tmpdir(), 'paas-bench-sched-'));
  const app = `sched-${randomBytes(3).toString('hex')}`;
  try {
    for (const h of hosts) {
      const r = await p.paas(['hosts:add', h.name, '--docker', h.dockerUrl, '--address', h.address, '--insecure']);
      if (r.code !== 0) throw new Error(r.stderr);
    }
    await p.paas(['apps:create', app]);
    const dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/hello-express'), dir, { recursive: true });
    await gitRepo(dir);
    await p.paas(['git:remote', '-a', app], { cwd: dir });
    const first = await gitPush(p, dir);
    if (first.code !== 0) throw new Error(first.output);
    // Put the image on every host, then come back to one process.
    await p.paas(['scale', 'web=3', '-a', app]);
    await p.paas(['scale', 'web=1', '-a', app]);

    const scaleLoad = load();
    const scaleWall = Date.now();
    const scaleStarted = performance.now();
    const scaled = await p.paas(['scale', 'web=10', '-a', app]);
    if (scaled.code !== 0) throw new Error(scaled.stderr);
    await until(async () => (await dynos(p, app)).filter((d) => d.state === 'up').length === 10, 120_000);
    const scaleSeconds = (performance.now() - scaleStarted) / 1000;
    const started = await startedAfter(p, app, scaleWall);
    const containersSeconds = started.length === 9 ? Math.max(...started) : undefined;
    const spread = spreadOf(await dynos(p, app));

    // A release under continuous load: sequential keep-alive-free GETs from two loops.
    let stop = false;
    let ok = 0;
    let failed = 0;
    const loop = async (): Promise<void> => {
      while (!stop) {
        try {
          if ((await p.get(app)).status === 200) ok++;
          else failed++;
        } catch {
          failed++;
        }
      }
    };
    const releaseLoad = load();
    const loops = [loop(), loop()];
    const index = join(dir, 'index.js');
    await writeFile(index, (await readFile(index, 'utf8')).replace('hello from paas v1', 'hello from paas v2'));
    await commitAll(dir, 'v2');
    const released = await gitPush(p, dir);
    await new Promise((r) => setTimeout(r, 4000));
    stop = true;
    await Promise.all(loops);
    if (released.code !== 0) throw new Error(released.output);

    // The replaced processes drain, then stop: wait until only the ten new ones are left.
    await until(async () => (await dynos(p, app)).length === 10, 60_000);
    const afterRelease = await dynos(p, app);
    // The host with most of the processes is the one lost.
    const victim = hosts.reduce((a, b) => (afterRelease.filter((d) => d.host === b.name).length > afterRelease.filter((d) => d.host === a.name).length ? b : a));
    const onVictim = afterRelease.filter((d) => d.host === victim.name).length;
    const lossLoad = load();
    const lossStarted = performance.now();
    await victim.kill();
    await until(async () => {
      const ds = await dynos(p, app);
      return ds.length === 10 && ds.every((d) => d.host !== victim.name && d.state === 'up') && (await p.get(app)).status === 200;
    }, 180_000);
    const lossSeconds = (performance.now() - lossStarted) / 1000;

    return [
      '## Scheduler on real engines (local engine + 2 Docker-in-Docker hosts)',
      '',
      '| figure | measured | target | load average (1 min, 2 cores) |',
      '| --- | --- | --- | --- |',
      `| \`paas scale web=1\` → \`web=10\`, until all ten are up (image present) | ${scaleSeconds.toFixed(1)} s; the nine new containers were running after ${containersSeconds === undefined ? '(not in the log)' : `${containersSeconds.toFixed(1)} s`}, the rest is the app booting (spread: ${spread}) | ≤ 5 s | ${scaleLoad} |`,
      `| failed requests during a release under continuous load | ${failed} of ${ok + failed} | 0 | ${releaseLoad} |`,
      `| host lost (SIGKILL of the host with most processes, ${onVictim} of the 10; spread after the release: ${spreadOf(afterRelease)}) → all ten serving elsewhere | ${lossSeconds.toFixed(1)} s (host checks every 1 s, down after 2 failed checks of 3 s) | ≤ 30 s | ${lossLoad} |`,
      '',
      '`paas scale` returns once the new web processes answer HTTP and the router serves them; the time includes the CLI and API round trips. The fixture app starts with `npm start` (npm, then node and express), so ten boots at once need a few CPU-seconds: on the shared 2-core machine the figure follows the load average.',
      '',
    ].join('\n');
  } finally {
    await p.stop();
    await removeDindHosts(hosts);
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * npm run bench -- runtimes: the docker-hosts runtime and the Swarm runtime side by side, in one
 * run, on three engines each (docker-hosts: the local engine and two Docker-in-Docker hosts; Swarm:
 * a Docker-in-Docker manager and two workers, the local engine staying out of swarm mode). For each:
 * `paas scale web=1` → `web=10` until the ten serve, failed requests during a release under
 * continuous load, and seconds from a node's loss (SIGKILL of the one running most processes) to
 * all ten serving elsewhere.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { commitAll, gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../test/helpers/platform.js';
import { removeDindHosts, startDindHosts, type DindHost } from '../test/helpers/dind.js';
import { startSwarm } from '../test/helpers/dind-swarm.js';
import { steadyLoad } from '../test/helpers/steady-load.js';
import { until } from './scheduler.js';

interface Dyno {
  name: string;
  state: string;
  host: string;
}

interface Figures {
  scaleSeconds: number;
  failed: number;
  requests: number;
  lossSeconds: number;
  onVictim: number;
  loads: [string, string, string];
}

const load = (): string => loadavg()[0]!.toFixed(1);

async function dynos(p: Platform, app: string): Promise<Dyno[]> {
  const r = await p.paas(['ps', '--json', '-a', app]);
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as Dyno[]).filter((d) => d.name.startsWith('web.'));
}

/** The three figures on a platform whose hosts (or nodes) are `nodes`; `victims` may be lost. */
async function measure(p: Platform, victims: DindHost[]): Promise<Figures> {
  const work = await mkdtemp(join(tmpdir(), 'paas-bench-rt-'));
  const app = `rt-${randomBytes(3).toString('hex')}`;
  try {
    await p.paas(['apps:create', app]);
    const dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/hello-express'), dir, { recursive: true });
    await gitRepo(dir);
    await p.paas(['git:remote', '-a', app], { cwd: dir });
    const first = await gitPush(p, dir);
    if (first.code !== 0) throw new Error(first.output);

    const ten = async (): Promise<boolean> => {
      const ds = await dynos(p, app);
      return ds.length === 10 && ds.every((d) => d.state === 'up') && (await p.get(app)).status === 200;
    };
    const loads: string[] = [load()];
    const scaleStarted = performance.now();
    const scaled = await p.paas(['scale', 'web=10', '-a', app]);
    // On a loaded machine the CLI may stop waiting for the ten boots before they end: the scale stands.
    if (scaled.code !== 0 && !/did not answer/.test(scaled.stderr)) throw new Error(scaled.stderr);
    await until(ten, 300_000);
    const scaleSeconds = (performance.now() - scaleStarted) / 1000;

    loads.push(load());
    const traffic = steadyLoad(() => p.get(app), { pauseMs: 10 });
    const index = join(dir, 'index.js');
    await writeFile(index, (await readFile(index, 'utf8')).replace('hello from paas v1', 'hello from paas v2'));
    await commitAll(dir, 'v2');
    const released = await gitPush(p, dir);
    await new Promise((r) => setTimeout(r, 5000));
    const { requests, failed } = await traffic.stop();
    if (released.code !== 0) throw new Error(released.output);
    await until(ten, 300_000);

    const after = await dynos(p, app);
    const count = (h: DindHost): number => after.filter((d) => d.host === h.name).length;
    const victim = victims.reduce((a, b) => (count(b) > count(a) ? b : a));
    loads.push(load());
    const lossStarted = performance.now();
    await victim.kill();
    await until(async () => (await ten()) && (await dynos(p, app)).every((d) => d.host !== victim.name), 300_000);
    const lossSeconds = (performance.now() - lossStarted) / 1000;
    return { scaleSeconds, failed, requests, lossSeconds, onVictim: count(victim), loads: loads as [string, string, string] };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const env = { PAAS_HOST_CHECK_INTERVAL: '1', PAAS_RECONCILE_INTERVAL: '3', PAAS_DRAIN_SECONDS: '2', PAAS_STOP_GRACE: '2' };

async function dockerHosts(): Promise<Figures> {
  const hosts = await startDindHosts(2, 'benchrt');
  const p = await startPlatform({ env });
  try {
    for (const h of hosts) {
      const r = await p.paas(['hosts:add', h.name, '--docker', h.dockerUrl, '--address', h.address]);
      if (r.code !== 0) throw new Error(r.stderr);
    }
    return await measure(p, hosts);
  } finally {
    await p.stop();
    await removeDindHosts(hosts);
  }
}

async function swarm(): Promise<Figures> {
  const s = await startSwarm(2, 'benchsw');
  const p = await startPlatform({ env: { ...env, PAAS_RUNTIME: 'swarm', PAAS_SWARM_MANAGER: s.managerUrl } });
  try {
    return await measure(p, s.workers);
  } finally {
    await p.stop();
    await s.remove();
  }
}

export async function benchRuntimes(): Promise<string> {
  const hosts = await dockerHosts();
  const sw = await swarm();
  const cell = (f: Figures, k: 'scale' | 'release' | 'loss'): string =>
    k === 'scale' ? `${f.scaleSeconds.toFixed(1)} s (load ${f.loads[0]})` : k === 'release' ? `${f.failed} of ${f.requests} (load ${f.loads[1]})` : `${f.lossSeconds.toFixed(1)} s, ${f.onVictim} of 10 lost (load ${f.loads[2]})`;
  return [
    '## Runtimes side by side: docker-hosts and Swarm (3 engines each, one run)',
    '',
    '| figure | docker-hosts (local engine + 2 DinD hosts) | Swarm (DinD manager + 2 DinD workers) |',
    '| --- | --- | --- |',
    `| \`paas scale web=1\` → \`web=10\`, until the ten are up and the app answers | ${cell(hosts, 'scale')} | ${cell(sw, 'scale')} |`,
    `| failed requests during a release under continuous load (one request at a time, 10 ms apart, for the push and 5 s after) | ${cell(hosts, 'release')} | ${cell(sw, 'release')} |`,
    `| a node lost (SIGKILL of the DinD host or worker running most processes) → all ten up elsewhere and serving | ${cell(hosts, 'loss')} | ${cell(sw, 'loss')} |`,
    '',
    'Both with `PAAS_HOST_CHECK_INTERVAL=1`, `PAAS_DRAIN_SECONDS=2`, `PAAS_STOP_GRACE=2`, the hello-express fixture. On Swarm a scale is Swarm placing ten tasks, each up once its health check (an HTTP answer on `$PORT`, checked every 2 s) passes; a node is noticed lost by Swarm\'s heartbeats (5 s period), then its tasks are rescheduled and the routes follow (listed every second). The docker-hosts runtime marks a host down after 2 failed checks. Load average: 1 minute, 2 cores, shared with other work.',
    '',
  ].join('\n');
}

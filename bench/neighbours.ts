/**
 * npm run bench -- neighbours: is a misbehaving app contained? A quiet static app is loaded through
 * the router at a fixed rate (open loop: bench/api-load-generator.ts, in its own process) while a
 * second app runs one misbehaviour at a time as a detached one-off (the
 * same limits and hardening as its processes): a fork bomb, a memory hog OOM-killed over and over, a
 * disk writer, and a log flood of about 20,000 lines a second. The quiet app's p99 during each,
 * against its p99 with nothing beside it measured just before (the machine is shared). Target: within
 * 2× the quiet p99.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../test/helpers/platform.js';

const run = promisify(execFile);
const generator = fileURLToPath(new URL('./api-load-generator.ts', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Load {
  count: number;
  p50: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
}

const misbehaviours: { name: string; command: string }[] = [
  { name: 'fork bomb (stops at the PID limit)', command: 'bomb() { bomb | bomb & }; bomb; sleep 600' },
  { name: 'memory hog (OOM-killed over and over)', command: 'while true; do (x=aaaaaaaaaaaaaaaa; while true; do x="$x$x"; done); done' },
  { name: 'disk writer (500 MB files, over and over)', command: 'while true; do dd if=/dev/zero of=/tmp/fill bs=1M count=500 2>/dev/null; rm -f /tmp/fill; done' },
  { name: 'log flood (about 20,000 lines/s)', command: 'while true; do yes paas-neighbour-log-flood | head -n 2000; sleep 0.1; done' },
];

async function load(p: Platform, app: string, rate: number, seconds: number): Promise<Load> {
  const plan = {
    url: `http://127.0.0.1:${p.routerPort}`,
    rate,
    durationMs: seconds * 1000,
    warmupMs: 1000,
    timeoutMs: 5000,
    requests: [{ method: 'GET', path: '/', headers: { host: `${app}.localhost` } }],
  };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', generator, JSON.stringify(plan)], { maxBuffer: 1 << 24 });
  return JSON.parse(stdout) as Load;
}

async function pushStatic(p: Platform, work: string, app: string): Promise<void> {
  if ((await p.paas(['apps:create', app])).code !== 0) throw new Error(`apps:create ${app} failed`);
  const dir = join(work, app);
  await cp(join(repoRoot, 'test/fixtures/static-site'), dir, { recursive: true });
  await gitRepo(dir);
  await p.paas(['git:remote', '-a', app], { cwd: dir });
  const pushed = await gitPush(p, dir);
  if (pushed.code !== 0) throw new Error(`push of ${app} failed:\n${pushed.output}`);
}

export async function benchNeighbours(): Promise<string> {
  const rate = Number(process.env.BENCH_NEIGHBOUR_RATE ?? 100);
  const seconds = Number(process.env.BENCH_NEIGHBOUR_SECONDS ?? 10);
  const p = await startPlatform();
  const work = await mkdtemp(join(tmpdir(), 'paas-bench-neighbours-'));
  const docker = new Docker();
  const suffix = randomBytes(3).toString('hex');
  const quiet = `quiet-${suffix}`;
  const noisy = `noisy-${suffix}`;
  const started = new Date();
  const load1 = loadavg()[0]!;
  try {
    await pushStatic(p, work, quiet);
    await pushStatic(p, work, noisy);
    const oneOffs = async (): Promise<Docker.ContainerInfo[]> =>
      docker.listContainers({ all: true, filters: { label: [`paas.cluster=${p.cluster}`, `paas.app=${noisy}`, 'paas.role=one-off'] } });
    // Each misbehaviour is measured right after a run with nothing beside the quiet app: the machine is
    // shared, and the pair is what says how much the neighbour costs.
    const rows: { name: string; quiet: Load; beside: Load }[] = [];
    for (const m of misbehaviours) {
      const alone = await load(p, quiet, rate, seconds);
      const res = await p.paas(['run:detached', '-a', noisy, '--', 'sh', '-c', m.command]);
      if (res.code !== 0) throw new Error(`run:detached failed: ${res.stderr}`);
      await sleep(3000); // let it reach its worst
      rows.push({ name: m.name, quiet: alone, beside: await load(p, quiet, rate, seconds) });
      await Promise.all((await oneOffs()).map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    }
    const failed = (l: Load): number => l.count - (l.statuses['200'] ?? 0);
    const fmt = (n: number): string => n.toFixed(1);
    const ratio = (r: { quiet: Load; beside: Load }): number => r.beside.p99 / r.quiet.p99;
    const line = (r: { name: string; quiet: Load; beside: Load }): string =>
      `| ${r.name} | ${fmt(r.quiet.p50)} / ${fmt(r.quiet.p99)} | ${fmt(r.beside.p50)} / ${fmt(r.beside.p99)} | ${fmt(r.beside.max)} | ${failed(r.beside)} (${r.beside.count}) | ${ratio(r).toFixed(2)} |`;
    const worst = Math.max(...rows.map(ratio));
    return [
      '## Misbehaving neighbours: a quiet app\'s latency beside them — `npm run bench -- neighbours`',
      '',
      `One run on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${load1.toFixed(1)} at the start (the machine is shared).`,
      `A quiet static app is requested through the router at ${rate} req/s for ${seconds} s (open loop, latency from when each request was due)`,
      'while a second app runs one misbehaviour at a time as a detached one-off (`paas run:detached`: the limits and hardening of its processes:',
      '512 MB, PID limit 512, non-root, no capabilities). Each row: a run with nothing beside the quiet app, then one beside the misbehaviour.',
      '',
      '| beside the quiet app | alone p50 / p99 (ms) | beside p50 / p99 (ms) | beside max (ms) | failed (of) | p99 beside / alone |',
      '|---|---:|---:|---:|---:|---:|',
      ...rows.map(line),
      '',
      `Worst ratio: ${worst.toFixed(2)} (target ≤ 2). A disk filler over \`PAAS_MAX_PROCESS_DISK_MB\` is replaced by the reconcile (test/faults/misbehaving-app.test.ts); the writer above stays under it to measure the I/O itself.`,
      '',
    ].join('\n');
  } finally {
    await p.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Seconds from `git push` to the new code serving, for a small Express app with a package-lock.json:
 * cold (a new app: empty build cache) and warm (a code-only change: dependencies from the cache).
 * The push returns only once the release serves; the clock stops when the router answers with the
 * new code. The build's share is the time until the push output says `Launching...`. Also the sizes
 * of the app's run image, the build image and the run base image.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { defaultStack } from '@paas/shared';
import { commitAll, gitRepo, repoRoot, startPlatform, type Platform } from '../test/helpers/platform.js';

interface Timing {
  /** From `git push` to the router answering with the new code. */
  total: number;
  /** From `git push` to the end of the build (the `Launching...` line). */
  build: number;
}

/**
 * `git push paas main`, then GETs until the router answers with `expect`: the seconds to that
 * (`total`) and, for each of `marks`, to when the push output first contained it (0: never).
 */
export async function timedPush<K extends string>(p: Platform, app: string, dir: string, expect: string, marks: Record<K, string>): Promise<{ total: number; at: Record<K, number> }> {
  const started = performance.now();
  const at = Object.fromEntries(Object.keys(marks).map((k) => [k, 0])) as Record<K, number>;
  let output = '';
  const code = await new Promise<number>((resolve) => {
    const child = spawn('git', ['push', 'paas', 'main'], { cwd: dir, env: { ...p.env, GIT_TERMINAL_PROMPT: '0' } });
    const onData = (b: Buffer): void => {
      output += b.toString();
      for (const k of Object.keys(marks) as K[]) if (at[k] === 0 && output.includes(marks[k])) at[k] = (performance.now() - started) / 1000;
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`push failed:\n${output}`);
  for (;;) {
    const r = await p.get(app);
    if (r.body.includes(expect)) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { total: (performance.now() - started) / 1000, at };
}

/** `git push paas main`, timing when the build ends and when the new code serves. */
async function timePush(p: Platform, app: string, dir: string, expect: string): Promise<Timing> {
  const { total, at } = await timedPush(p, app, dir, expect, { build: '-----> Launching...' });
  return { total, build: at.build };
}

async function imageSize(docker: Docker, filter: { label: string[] } | string): Promise<number> {
  if (typeof filter === 'string') return (await docker.getImage(filter).inspect()).Size;
  const [newest] = await docker.listImages({ filters: filter });
  return newest?.Size ?? 0;
}

/** The apps pushed, one per package manager: each answers with a marker a code-only change rewrites. */
const fixtures = [
  { fixture: 'hello-express', label: 'npm (Express, package-lock.json)', file: 'index.js', v1: 'hello from paas v1', v2: 'hello from paas v2' },
  { fixture: 'node-yarn-app', label: 'Yarn 1 (yarn.lock)', file: 'index.js', v1: 'yarn app:', v2: 'yarn app v2:' },
  { fixture: 'node-pnpm-workspace', label: 'pnpm workspace (pnpm-lock.yaml)', file: 'index.js', v1: "'pnpm '", v2: "'pnpm v2 '" },
] as const;

export async function benchPush(rounds = 3): Promise<string> {
  const p = await startPlatform();
  const docker = new Docker();
  const work = await mkdtemp(join(tmpdir(), 'paas-bench-'));
  const cold = new Map<string, Timing[]>(fixtures.map((f) => [f.fixture, []]));
  const warm = new Map<string, Timing[]>(fixtures.map((f) => [f.fixture, []]));
  const runImages: number[] = [];
  const load = [loadavg()[0]!];
  try {
    for (let round = 0; round < rounds; round++) {
      // interleaved: each round pushes every package manager's app, so load drifts hit them alike
      for (const f of fixtures) {
        const app = `bench-${randomBytes(3).toString('hex')}`;
        const created = await p.paas(['apps:create', app]);
        if (created.code !== 0) throw new Error(created.stderr);
        const dir = join(work, app);
        await cp(join(repoRoot, 'test/fixtures', f.fixture), dir, { recursive: true });
        await gitRepo(dir);
        await p.paas(['git:remote', '-a', app], { cwd: dir });
        const marker = (s: string): string => s.replace(/^'|'$/g, '');
        cold.get(f.fixture)!.push(await timePush(p, app, dir, marker(f.v1)));
        const file = join(dir, f.file);
        await writeFile(file, (await readFile(file, 'utf8')).replace(f.v1, f.v2));
        await commitAll(dir, 'code-only change');
        warm.get(f.fixture)!.push(await timePush(p, app, dir, marker(f.v2)));
        if (f.fixture === 'hello-express') runImages.push(await imageSize(docker, { label: [`paas.cluster=${p.cluster}`, `paas.app=${app}`] }));
        await p.paas(['apps:destroy', app, '--confirm', app]);
      }
    }
  } finally {
    load.push(loadavg()[0]!);
    await p.stop();
    await rm(work, { recursive: true, force: true });
  }
  // new apps build on the default stack
  const [buildImage, runBase] = [await imageSize(docker, `paas/build:${defaultStack}`), await imageSize(docker, `paas/run:${defaultStack}`)];
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(1)).join(', ');
  const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
  const runImage = median(runImages);
  const rows = fixtures.flatMap((f) => {
    const c = cold.get(f.fixture)!;
    const w = warm.get(f.fixture)!;
    return [
      `| ${f.label} | cold (new app) | ${median(c.map((t) => t.total)).toFixed(1)} | ${fmt(c.map((t) => t.total))} | ${fmt(c.map((t) => t.build))} | ≤ 15 s |`,
      `| ${f.label} | warm (code-only change) | ${median(w.map((t) => t.total)).toFixed(1)} | ${fmt(w.map((t) => t.total))} | ${fmt(w.map((t) => t.build))} | ≤ 3 s |`,
    ];
  });
  return [
    '## git push to serving: npm, Yarn and pnpm apps side by side',
    '',
    `Each round creates a new app per package manager (empty build cache) and pushes it (cold), then pushes a code-only change (warm); ${rounds} rounds, interleaved. ` +
      'Every build runs the install (the cache speeds it up, it never skips it: install scripts always run). ' +
      'The first cold push also makes the Node.js runtime layer, which later builds reuse (as every new app would).',
    '',
    '| app | push | median (s) | all rounds (s) | of which the build (s) | target |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '| image | size | target |',
    '| --- | --- | --- |',
    `| the npm app's run image (runtime layer + node_modules + app on the run base) | ${mb(runImage)} | ≤ 150 MB and ≤ 1/3 of the build image (${mb(buildImage / 3)}) |`,
    `| build image \`paas/build:${defaultStack}\` (compilers, Python, Go, bootstrap Node.js) | ${mb(buildImage)} | |`,
    `| run base \`paas/run:${defaultStack}\` (libc, libstdc++, libatomic, bash, busybox, CA bundle, tzdata) | ${mb(runBase)} | |`,
    '',
    `The 1-minute load average was ${load.map((l) => l.toFixed(1)).join(' at the start, ')} at the end (2 cores).`,
    '',
  ].join('\n');
}

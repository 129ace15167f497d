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
import { commitAll, gitRepo, repoRoot, startPlatform, type Platform } from '../test/helpers/platform.js';

interface Timing {
  /** From `git push` to the router answering with the new code. */
  total: number;
  /** From `git push` to the end of the build (the `Launching...` line). */
  build: number;
}

/** `git push paas main`, timing when the build ends and when the new code serves. */
async function timePush(p: Platform, app: string, dir: string, expect: string): Promise<Timing> {
  const started = performance.now();
  let build = 0;
  let output = '';
  const code = await new Promise<number>((resolve) => {
    const child = spawn('git', ['push', 'paas', 'main'], { cwd: dir, env: { ...p.env, GIT_TERMINAL_PROMPT: '0' } });
    const onData = (b: Buffer): void => {
      output += b.toString();
      if (build === 0 && output.includes('-----> Launching...')) build = (performance.now() - started) / 1000;
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
  return { total: (performance.now() - started) / 1000, build };
}

async function imageSize(docker: Docker, filter: { label: string[] } | string): Promise<number> {
  if (typeof filter === 'string') return (await docker.getImage(filter).inspect()).Size;
  const [newest] = await docker.listImages({ filters: filter });
  return newest?.Size ?? 0;
}

export async function benchPush(rounds = 3): Promise<string> {
  const p = await startPlatform();
  const docker = new Docker();
  const work = await mkdtemp(join(tmpdir(), 'paas-bench-'));
  const cold: Timing[] = [];
  const warm: Timing[] = [];
  const runImages: number[] = [];
  const load = [loadavg()[0]!];
  try {
    for (let round = 0; round < rounds; round++) {
      const app = `bench-${randomBytes(3).toString('hex')}`;
      const created = await p.paas(['apps:create', app]);
      if (created.code !== 0) throw new Error(created.stderr);
      const dir = join(work, app);
      await cp(join(repoRoot, 'test/fixtures/hello-express'), dir, { recursive: true });
      await gitRepo(dir);
      await p.paas(['git:remote', '-a', app], { cwd: dir });
      cold.push(await timePush(p, app, dir, 'hello from paas v1'));
      const index = join(dir, 'index.js');
      await writeFile(index, (await readFile(index, 'utf8')).replace('hello from paas v1', 'hello from paas v2'));
      await commitAll(dir, 'code-only change');
      warm.push(await timePush(p, app, dir, 'hello from paas v2'));
      runImages.push(await imageSize(docker, { label: [`paas.cluster=${p.cluster}`, `paas.app=${app}`] }));
      await p.paas(['apps:destroy', app, '--confirm', app]);
    }
  } finally {
    load.push(loadavg()[0]!);
    await p.stop();
    await rm(work, { recursive: true, force: true });
  }
  const [buildImage, runBase] = [await imageSize(docker, 'paas/build:bookworm'), await imageSize(docker, 'paas/run:bookworm')];
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(1)).join(', ');
  const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
  const runImage = median(runImages);
  return [
    '## git push to serving (small Express app, package-lock.json, engines.node 22.x)',
    '',
    `Each round creates a new app (empty build cache) and pushes it (cold), then pushes a code-only change (warm). ${rounds} rounds. ` +
      'The first cold push also makes the Node.js runtime layer, which later builds on the builder share (rounds 2+ reuse it, as every new app would).',
    '',
    '| push | median (s) | all rounds (s) | of which the build (s) | target |',
    '| --- | --- | --- | --- | --- |',
    `| cold (first build) | ${median(cold.map((t) => t.total)).toFixed(1)} | ${fmt(cold.map((t) => t.total))} | ${fmt(cold.map((t) => t.build))} | ≤ 30 s |`,
    `| warm (code-only change) | ${median(warm.map((t) => t.total)).toFixed(1)} | ${fmt(warm.map((t) => t.total))} | ${fmt(warm.map((t) => t.build))} | ≤ 10 s |`,
    '',
    '| image | size | target |',
    '| --- | --- | --- |',
    `| the app's run image (runtime layer + node_modules + app on the run base) | ${mb(runImage)} | ≤ 150 MB and ≤ 1/3 of the build image (${mb(buildImage / 3)}) |`,
    `| build image \`paas/build:bookworm\` (compilers, Python, Go, bootstrap Node.js) | ${mb(buildImage)} | |`,
    `| run base \`paas/run:bookworm\` (libc, libstdc++, bash, busybox, CA bundle, tzdata) | ${mb(runBase)} | |`,
    '',
    `The 1-minute load average was ${load.map((l) => l.toFixed(1)).join(' at the start, ')} at the end (2 cores).`,
    '',
  ].join('\n');
}

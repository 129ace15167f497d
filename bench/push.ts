/**
 * Seconds from `git push` to the new code serving, for a small Express app with a package-lock.json:
 * cold (a new app: empty build cache) and warm (a code-only change: dependencies from the cache).
 * The push returns only once the release serves; the clock stops when the router answers with the
 * new code.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { commitAll, gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../test/helpers/platform.js';

async function timePush(p: Platform, app: string, dir: string, expect: string): Promise<number> {
  const started = performance.now();
  const res = await gitPush(p, dir);
  if (res.code !== 0) throw new Error(`push failed:\n${res.output}`);
  for (;;) {
    const r = await p.get(app);
    if (r.body.includes(expect)) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return (performance.now() - started) / 1000;
}

export async function benchPush(rounds = 3): Promise<string> {
  const p = await startPlatform();
  const work = await mkdtemp(join(tmpdir(), 'paas-bench-'));
  const cold: number[] = [];
  const warm: number[] = [];
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
      await p.paas(['apps:destroy', app, '--confirm', app]);
    }
  } finally {
    await p.stop();
    await rm(work, { recursive: true, force: true });
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(1)).join(', ');
  return [
    '## git push to serving (small Express app, package-lock.json, engines.node 22.x)',
    '',
    `Each round creates a new app (empty build cache) and pushes it (cold), then pushes a code-only change (warm). ${rounds} rounds.`,
    '',
    '| push | median (s) | all rounds (s) | target |',
    '| --- | --- | --- | --- |',
    `| cold (first build) | ${median(cold).toFixed(1)} | ${fmt(cold)} | ≤ 30 s |`,
    `| warm (code-only change) | ${median(warm).toFixed(1)} | ${fmt(warm)} | ≤ 10 s |`,
    '',
  ].join('\n');
}

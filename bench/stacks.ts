/**
 * Push-to-live on each stack, side by side: a new app (cold: empty build cache) and a code-only change
 * (warm), for the Node.js (Express) and Python fixtures, on trixie and on bookworm, rounds interleaved
 * so load drifts hit both alike. Also the stacks' image sizes.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { stackNames, type StackName } from '@paas/shared';
import { commitAll, gitRepo, repoRoot, startPlatform } from '../test/helpers/platform.js';
import { timedPush } from './push.js';

const fixtures = [
  { fixture: 'hello-express', label: 'Node.js (Express, npm)', file: 'index.js', v1: 'hello from paas v1', v2: 'hello from paas v2', python: false },
  { fixture: 'python-app', label: 'Python (standard library)', file: 'app.py', v1: 'hello from python', v2: 'hello again from python', python: true },
] as const;

const pythonOf: Record<StackName, string> = { trixie: '3.13', bookworm: '3.11' };

export async function benchStacks(rounds = 2): Promise<string> {
  const p = await startPlatform();
  const docker = new Docker();
  const work = await mkdtemp(join(tmpdir(), 'paas-bench-stacks-'));
  const key = (f: string, s: string, kind: string): string => `${f} ${s} ${kind}`;
  const times = new Map<string, number[]>();
  const add = (k: string, v: number): void => void times.set(k, [...(times.get(k) ?? []), v]);
  const load = [loadavg()[0]!];
  try {
    for (let round = 0; round < rounds; round++) {
      for (const f of fixtures) {
        for (const stack of stackNames) {
          const app = `bstk-${randomBytes(3).toString('hex')}`;
          const created = await p.paas(['apps:create', app]);
          if (created.code !== 0) throw new Error(created.stderr);
          const set = await p.paas(['stack:set', stack, '-a', app]);
          if (set.code !== 0) throw new Error(set.stderr);
          const dir = join(work, app);
          await cp(join(repoRoot, 'test/fixtures', f.fixture), dir, { recursive: true });
          if (f.python) await writeFile(join(dir, '.python-version'), `${pythonOf[stack]}\n`);
          await gitRepo(dir);
          await p.paas(['git:remote', '-a', app], { cwd: dir });
          add(key(f.fixture, stack, 'cold'), (await timedPush(p, app, dir, f.v1, {})).total);
          const file = join(dir, f.file);
          await writeFile(file, (await readFile(file, 'utf8')).replace(f.v1, f.v2));
          await commitAll(dir, 'code-only change');
          add(key(f.fixture, stack, 'warm'), (await timedPush(p, app, dir, f.v2, {})).total);
          await p.paas(['apps:destroy', app, '--confirm', app]);
        }
      }
    }
  } finally {
    load.push(loadavg()[0]!);
    await p.stop();
    await rm(work, { recursive: true, force: true });
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(1)).join(', ');
  const mb = async (image: string): Promise<string> => `${((await docker.getImage(image).inspect()).Size / 1e6).toFixed(1)} MB`;
  const rows = fixtures.flatMap((f) =>
    (['cold', 'warm'] as const).map((kind) => {
      const cells = stackNames.map((s) => {
        const xs = times.get(key(f.fixture, s, kind))!;
        return `${median(xs).toFixed(1)} (${fmt(xs)})`;
      });
      return `| ${f.label} | ${kind === 'cold' ? 'cold (new app)' : 'warm (code-only change)'} | ${cells.join(' | ')} |`;
    }),
  );
  const sizes = await Promise.all(stackNames.map(async (s) => `| ${s} | ${await mb(`paas/build:${s}`)} | ${await mb(`paas/run:${s}`)} |`));
  return [
    '## Stacks: push-to-live on trixie beside bookworm — `npm run bench -- stacks`',
    '',
    `Seconds from \`git push\` to the router answering with the new code; each round pushes every fixture on each stack (a new app, then a code-only change); ${rounds} rounds, interleaved. Median (all rounds).`,
    '',
    `| app | push | ${stackNames.join(' | ')} |`,
    `| --- | --- | ${stackNames.map(() => '---').join(' | ')} |`,
    ...rows,
    '',
    '| stack | build image | run image |',
    '| --- | --- | --- |',
    ...sizes,
    '',
    `The 1-minute load average was ${load.map((l) => l.toFixed(1)).join(' at the start, ')} at the end (2 cores).`,
    '',
  ].join('\n');
}

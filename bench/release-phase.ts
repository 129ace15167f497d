/**
 * What a release phase adds to push-to-live: the same small Dockerfile app pushed with and without a
 * Procfile `release:` (a no-op command, so the figure is the platform's own cost: the one-off's
 * container created, attached, run to its exit, its output kept), interleaved round by round. Each
 * push changes the served marker; the clock stops when the router answers with it. The release
 * phase's own share is the time between its heading and its `done` line in the push output.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { commitAll, gitRepo, repoRoot, startPlatform, type Platform } from '../test/helpers/platform.js';
import { timedPush } from './push.js';

interface Timing {
  total: number;
  /** From the release phase's heading to its `done` line (0 without one). */
  phase: number;
}

async function timePush(p: Platform, app: string, dir: string, marker: string): Promise<Timing> {
  const { total, at } = await timedPush(p, app, dir, marker, { start: '-----> Release phase: running', end: 'Release phase done' });
  return { total, phase: at.start && at.end ? at.end - at.start : 0 };
}

const procfile = (marker: string, release: boolean): string =>
  `web: mkdir -p /tmp/www && echo "${marker}" >/tmp/www/index.html && exec busybox httpd -f -p 8080 -h /tmp/www\n` + (release ? 'release: echo migrated\n' : '');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(', ');

export async function benchReleasePhase(rounds = 5): Promise<string> {
  const p = await startPlatform();
  const work = await mkdtemp(join(tmpdir(), 'paas-bench-rp-'));
  const runs = { without: [] as Timing[], with: [] as Timing[] };
  const load = [loadavg()[0]!];
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  try {
    const apps: Record<'without' | 'with', { app: string; dir: string }> = { without: { app: '', dir: '' }, with: { app: '', dir: '' } };
    for (const kind of ['without', 'with'] as const) {
      const app = `rp-${kind}-${randomBytes(3).toString('hex')}`;
      const dir = join(work, app);
      await cp(join(repoRoot, 'test/fixtures/release-phase'), dir, { recursive: true });
      await writeFile(join(dir, 'Procfile'), procfile('v0', kind === 'with'));
      await gitRepo(dir);
      const created = await p.paas(['apps:create', app], { cwd: dir });
      if (created.code !== 0) throw new Error(created.stderr);
      await timePush(p, app, dir, 'v0'); // the first (cold) push is not counted
      apps[kind] = { app, dir };
    }
    for (let round = 1; round <= rounds; round++) {
      for (const kind of ['without', 'with'] as const) {
        const { app, dir } = apps[kind];
        await writeFile(join(dir, 'Procfile'), procfile(`v${round}`, kind === 'with'));
        await commitAll(dir, `v${round}`);
        runs[kind].push(await timePush(p, app, dir, `v${round}`));
      }
    }
    load.push(loadavg()[0]!);
  } finally {
    await p.stop();
    await rm(work, { recursive: true, force: true });
  }
  const without = runs.without.map((t) => t.total);
  const withPhase = runs.with.map((t) => t.total);
  const phase = runs.with.map((t) => t.phase);
  return [
    '## Release phase: what it adds to push-to-live',
    '',
    `Run on ${when} UTC. The same Dockerfile app (\`test/fixtures/release-phase\`, a busybox web process) pushed with and without a Procfile \`release: echo migrated\`, ${rounds} warm pushes each (a Procfile change; the cold first push not counted), interleaved. The release phase runs as a one-off of the new release before its web process starts; the push returns once the new release serves.`,
    '',
    '| push | median (s) | all rounds (s) |',
    '| --- | --- | --- |',
    `| without a release phase | ${median(without).toFixed(2)} | ${fmt(without)} |`,
    `| with a release phase | ${median(withPhase).toFixed(2)} | ${fmt(withPhase)} |`,
    `| the release phase itself (heading to \`done\` in the push output) | ${median(phase).toFixed(2)} | ${fmt(phase)} |`,
    '',
    `Added to push-to-live (median with − median without): ${(median(withPhase) - median(without)).toFixed(2)} s. The 1-minute load average was ${load[0]!.toFixed(1)} at the start, ${load[1]?.toFixed(1) ?? '?'} at the end (2 cores, shared with other engineers' runs).`,
    '',
  ].join('\n');
}

/**
 * npm run bench -- sbom: what the inventory adds to a build (the builder's own timings, from real
 * pushes of a buildpack app and a Dockerfile app), the images' sizes, and matching 10,000
 * components against 100,000 synthetic advisories (in memory, and through PostgreSQL as an import's
 * re-match does it).
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createLogger } from '@paas/shared';
import { gitPush, gitRepo, repoRoot, startPlatform } from '../test/helpers/platform.js';
import { createTestDatabase } from '../apps/controller/src/db/test-database.js';
import { insertApp } from '../apps/controller/src/db/apps.js';
import { insertBuild } from '../apps/controller/src/db/builds.js';
import { createUser } from '../apps/controller/src/db/users.js';
import { storeAdvisories, storeBuildSbom } from '../apps/controller/src/db/vulns.js';
import { inTransaction } from '../apps/controller/src/db/queryable.js';
import type { Advisory } from '../apps/controller/src/vulns/advisory-records.js';
import { matchComponents, type MatchAffected, type MatchComponent } from '../apps/controller/src/vulns/match.js';
import type { StoredComponent } from '../apps/controller/src/vulns/sbom-components.js';
import { VulnService } from '../apps/controller/src/vulns/vuln-service.js';

interface PushFigures {
  fixture: string;
  pushSeconds: number;
  inventoryMs: number[];
  line: string;
  runSize: string;
  buildSize: string;
}

/** Pushes a fixture twice (cold: the run image's inventory is read; warm: it is cached) and reads the builder's timings. */
async function pushFixtures(): Promise<PushFigures[]> {
  const p = await startPlatform({ supervised: true });
  const work = await mkdtemp(join(tmpdir(), 'paas-bench-sbom-'));
  const out: PushFigures[] = [];
  try {
    for (const fixture of ['hello-express', 'dockerfile-app', 'python-app', 'go-app', 'static-site']) {
      const app = `sbom-${randomBytes(3).toString('hex')}`;
      const dir = join(work, fixture);
      await cp(join(repoRoot, 'test/fixtures', fixture), dir, { recursive: true });
      await gitRepo(dir);
      await p.paas(['apps:create', app]);
      await p.paas(['git:remote', '-a', app], { cwd: dir });
      const started = Date.now();
      const push = await gitPush(p, dir);
      const pushSeconds = (Date.now() - started) / 1000;
      if (push.code !== 0) {
        console.error(`${fixture}: push failed\n${push.output}`);
        continue;
      }
      const log = await readFile(join(p.home, 'logs', 'builder.log'), 'utf8');
      const ms = log
        .split('\n')
        .filter((l) => l.includes(`"app":"${app}"`) && (l.includes('"slug made"') || l.includes('"image inventory made"')))
        .map((l) => JSON.parse(l) as { ms: Record<string, number> })
        .map((e) => (e.ms['inventory'] ?? 0) + (e.ms['inventoryScan'] ?? 0));
      const line = /-----> Inventory: (.*)/.exec(push.output)?.[1]?.trim() ?? '(none)';
      const done = /Done: (\S+)(?: \(the build image is (\S+)\))?/.exec(push.output);
      out.push({ fixture, pushSeconds, inventoryMs: ms, line, runSize: done?.[1] ?? '?', buildSize: done?.[2] ?? '(the Dockerfile build)' });
      console.error(JSON.stringify(out.at(-1)));
      await p.paas(['apps:destroy', app, '--confirm', app]);
    }
  } finally {
    await p.stop();
    await rm(work, { recursive: true, force: true });
  }
  return out;
}

/** Deterministic pseudo-random numbers. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function synthetic(components: number, advisories: number): { comps: StoredComponent[]; advs: Advisory[] } {
  const r = rng(42);
  const eco = (i: number): string => (i % 10 < 6 ? 'npm' : i % 10 < 9 ? 'Debian:12' : 'PyPI');
  const version = (i: number): string => (eco(i) === 'Debian:12' ? `${1 + (i % 7)}.${i % 13}.${i % 5}-${1 + (i % 3)}~deb12u${i % 4}` : `${1 + (i % 7)}.${i % 13}.${i % 5}`);
  const comps: StoredComponent[] = Array.from({ length: components }, (_, i) => ({
    ecosystem: eco(i),
    name: `pkg-${i}`,
    version: version(i),
    package: `pkg-${i}`,
    installed: version(i),
    layer: 'sha256:0',
    path: '',
  }));
  const advs: Advisory[] = Array.from({ length: advisories }, (_, k) => {
    const i = Math.floor(r() * components * 1.5); // a third of the advisories name packages no image has
    const fixedAt = `${1 + Math.floor(r() * 7)}.${Math.floor(r() * 13)}.${Math.floor(r() * 5)}`;
    const e = eco(i);
    return {
      id: `BENCH-${k}`,
      source: 'osv' as const,
      summary: 'synthetic',
      aliases: [],
      severity: (['low', 'medium', 'high', 'critical'] as const)[k % 4]!,
      affected: [{ ecosystem: e, package: `pkg-${i}`, ranges: [{ type: e === 'npm' ? 'SEMVER' : 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: e === 'Debian:12' ? `${fixedAt}-2` : fixedAt }] as Record<string, string>[] }], versions: [] }],
    };
  });
  return { comps, advs };
}

export async function benchSbomMatching(): Promise<string[]> {
  const { comps, advs } = synthetic(10_000, 100_000);
  const mc: MatchComponent[] = comps.map((c) => ({ ...c, build_id: 'b' }));
  const ma: MatchAffected[] = advs.flatMap((a) => a.affected.map((f) => ({ advisory_id: a.id, ecosystem: f.ecosystem, package: f.package, ranges: f.ranges, versions: f.versions, severity: a.severity })));
  const times: number[] = [];
  let found = 0;
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    found = matchComponents(mc, ma).length;
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const db = await createTestDatabase();
  try {
    const log = createLogger('bench', 'silent');
    const user = await createUser(db.pool, 'bench@example.com', 'x', 'user');
    const appId = await insertApp(db.pool, 'bench', user.id);
    const build = await insertBuild(db.pool, appId, user.id, 'b'.repeat(40));
    await storeBuildSbom(db.pool, { buildId: build.id, appId, document: Buffer.alloc(0), components: comps });
    let t = Date.now();
    await inTransaction(db.pool, (tx) => storeAdvisories(tx, advs));
    const importMs = Date.now() - t;
    const vulns = new VulnService({ pool: db.pool, log, platformPolicy: { action: 'warn', severity: 'high' } });
    t = Date.now();
    const dbFound = await vulns.match([build.id]);
    const dbMs = Date.now() - t;
    console.error(JSON.stringify({ memoryMs: times, found, importMs, dbMs, dbFound }));
    return [
      `| in memory (\`matchComponents\`), median of 3 | ${times.sort((a, b) => a - b)[1]!.toFixed(0)} ms | ${found} findings |`,
      `| storing the 100,000 advisories (one import's write) | ${(importMs / 1000).toFixed(1)} s | |`,
      `| one build matched through PostgreSQL (load its components and their packages' advisories, match, write the findings) | ${dbMs} ms | ${dbFound} findings |`,
    ];
  } finally {
    await db.drop();
  }
}

export async function benchSbom(): Promise<string> {
  const load = loadavg()[0]!.toFixed(1);
  const match = await benchSbomMatching();
  const pushes = await pushFixtures();
  return [
    '## SBOM and vulnerability matching',
    '',
    `Issue 21. Load average ${load} at the start (a shared 2-core machine: other work ran at the same time).`,
    '',
    'What the inventory adds to a build (the builder\'s own timings of its inventory steps, from a real `git push` of each fixture on a fresh platform: the first push of the platform also reads the run image, later ones reuse it), the inventory line the push printed, and the run image against the build image:',
    '',
    '| fixture | push (s) | inventory (s) | inventory line | run image | build image |',
    '| --- | --- | --- | --- | --- | --- |',
    ...pushes.map((f) => `| ${f.fixture} | ${f.pushSeconds.toFixed(0)} | ${f.inventoryMs.map((m) => (m / 1000).toFixed(2)).join(', ')} | ${f.line} | ${f.runSize} | ${f.buildSize} |`),
    '',
    'Matching 10,000 synthetic components (6,000 npm, 3,000 Debian, 1,000 PyPI) against 100,000 synthetic advisories (one affected package each, an introduced/fixed range; a third name packages no image has):',
    '',
    '| step | time | |',
    '| --- | --- | --- |',
    ...match,
    '',
  ].join('\n');
}

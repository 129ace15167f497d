/**
 * The git receiver, property-based (fast-check, fixed seed): sequences of hostile and unusual pushes
 * against a running platform (supervised, as `npm run up` runs it) — non-fast-forward pushes with and
 * without force, pushes to other branches, tags, many refs at once, huge ref names, truncated and
 * garbage packs sent by hand, and two pushes of one app at once. Never a 5xx from the receiver,
 * never a crash (the same controller process answers), and afterwards the database is consistent
 * (no orphan builds, releases or formations; test/helpers/db-consistency.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import pg from 'pg';
import { gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';
import { dbProblems } from '../helpers/db-consistency.js';

const run = promisify(execFile);

type Push =
  | { kind: 'fast-forward' }
  | { kind: 'non-fast-forward'; force: boolean }
  | { kind: 'other-branch'; name: string }
  | { kind: 'tag'; name: string }
  | { kind: 'many-refs'; count: number }
  | { kind: 'huge-ref'; length: number }
  | { kind: 'raw-pack'; cut: number; garbage: boolean }
  | { kind: 'concurrent' };

const refName = fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/);
/** Every kind of push once, each with its own random parameters, in a random order. */
const pushes: fc.Arbitrary<Push[]> = fc
  .tuple(
    fc.constant<Push>({ kind: 'fast-forward' }),
    fc.boolean().map<Push>((force) => ({ kind: 'non-fast-forward', force })),
    refName.map<Push>((name) => ({ kind: 'other-branch', name })),
    refName.map<Push>((name) => ({ kind: 'tag', name })),
    fc.integer({ min: 50, max: 400 }).map<Push>((count) => ({ kind: 'many-refs', count })),
    fc.integer({ min: 200, max: 4000 }).map<Push>((length) => ({ kind: 'huge-ref', length })),
    fc.record({ cut: fc.integer({ min: 0, max: 400 }), garbage: fc.boolean() }).map<Push>((r) => ({ kind: 'raw-pack', ...r })),
    fc.constant<Push>({ kind: 'concurrent' }),
  )
  .chain((all) => fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }));

describe('the git receiver under property-based pushes', { timeout: 900_000 }, () => {
  let p: Platform;
  let work: string;
  let dir: string;
  let token: string;
  let n = 0;
  const app = `gitfuzz-${Date.now().toString(36)}`;
  const git = (args: string[]): Promise<{ stdout: string; stderr: string }> => run('git', args, { cwd: dir, env: { ...process.env, ...p.env, GIT_TERMINAL_PROMPT: '0' }, maxBuffer: 16 * 1024 * 1024 });
  const commit = async (): Promise<string> => {
    n++;
    await writeFile(join(dir, 'public', 'index.html'), `<h1>push ${n}</h1>\n`);
    await git(['add', '-A']);
    await git(['commit', '-q', '-m', `push ${n}`]);
    return (await git(['rev-parse', 'HEAD'])).stdout.trim();
  };
  /** A git client's output must never show the receiver failing with a 5xx. */
  const noServerError = (output: string): void => assert.doesNotMatch(output, /HTTP 5\d\d|500 Internal|Internal Server Error|error: RPC failed; HTTP 5/, output);
  const pushRefs = (refspecs: string[], extra: string[] = []): Promise<{ code: number; output: string }> =>
    run('git', ['push', ...extra, 'paas', ...refspecs], { cwd: dir, env: { ...process.env, ...p.env, GIT_TERMINAL_PROMPT: '0' }, maxBuffer: 16 * 1024 * 1024 }).then(
      (r) => ({ code: 0, output: r.stdout + r.stderr }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: typeof err.code === 'number' ? err.code : 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` }),
    );

  const apply = async (step: Push): Promise<void> => {
    switch (step.kind) {
      case 'fast-forward': {
        await commit();
        noServerError((await gitPush(p, dir)).output);
        return;
      }
      case 'non-fast-forward': {
        // A commit beside main's tip, not after it.
        await git(['checkout', '-q', '--orphan', `side-${n}`]);
        await commit();
        const r = await pushRefs([`HEAD:refs/heads/main`], step.force ? ['--force'] : []);
        noServerError(r.output);
        if (!step.force) assert.notEqual(r.code, 0, 'git refuses a non-fast-forward push without --force');
        await git(['checkout', '-q', '-B', 'main', 'HEAD']);
        return;
      }
      case 'other-branch':
        await commit();
        noServerError((await pushRefs([`HEAD:refs/heads/x-${step.name}`])).output);
        return;
      case 'tag':
        await git(['tag', '-f', `t-${step.name}-${n}`]);
        noServerError((await pushRefs([`refs/tags/t-${step.name}-${n}`])).output);
        return;
      case 'many-refs': {
        const head = await commit();
        const refs = Array.from({ length: step.count }, (_, i) => `${head}:refs/heads/many-${n}-${i}`);
        noServerError((await pushRefs(refs)).output);
        return;
      }
      case 'huge-ref': {
        await commit();
        noServerError((await pushRefs([`HEAD:refs/heads/${'h'.repeat(step.length)}`])).output);
        return;
      }
      case 'raw-pack': {
        // The command list git sends, then a pack cut short (or garbage): by hand, as no git client would.
        const head = await commit();
        const line = `0000000000000000000000000000000000000000 ${head} refs/heads/main\0 report-status side-band-64k`;
        const pkt = (s: string): string => (s.length + 4).toString(16).padStart(4, '0') + s;
        const header = Buffer.from('PACK\0\0\0\x02\0\0\0\x09', 'latin1'); // nine objects announced
        const pack = step.garbage ? Buffer.alloc(step.cut, 0x5a) : Buffer.concat([header, Buffer.alloc(Math.floor(step.cut / 2), 0x78)]);
        const res = await fetch(`${p.apiUrl}/${app}.git/git-receive-pack`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-git-receive-pack-request' },
          body: Buffer.concat([Buffer.from(`${pkt(line)}0000`, 'latin1'), pack]),
          signal: AbortSignal.timeout(60_000),
        });
        const body = await res.text();
        assert.ok(res.status < 500, `${res.status}: ${body.slice(0, 300)}`);
        return;
      }
      case 'concurrent': {
        await commit();
        const [a, b] = await Promise.all([gitPush(p, dir), gitPush(p, dir, ['--force'])]);
        noServerError(a.output);
        noServerError(b.output);
        return;
      }
    }
  };

  before(async () => {
    p = await startPlatform({ supervised: true });
    token = (JSON.parse(await readFile(join(p.home, 'cli.json'), 'utf8')) as { token: string }).token;
    work = await mkdtemp(join(tmpdir(), 'paas-gitfuzz-'));
    dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/static-site'), dir, { recursive: true });
    await gitRepo(dir);
    assert.equal((await p.paas(['apps:create', app])).code, 0);
    assert.equal((await p.paas(['git:remote', '-a', app], { cwd: dir })).code, 0);
  });
  after(async () => {
    await p?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('never a 5xx or a crash; the database is consistent afterwards', async () => {
    const controller = await p.pid('controller');
    const seen: string[] = [];
    await fc.assert(
      fc.asyncProperty(pushes, async (steps) => {
        for (const step of steps) {
          seen.push(step.kind === 'non-fast-forward' ? `${step.kind}${step.force ? ' (forced)' : ''}` : step.kind);
          await apply(step);
        }
        assert.equal((await fetch(`${p.apiUrl}/health`)).status, 200);
      }),
      { seed: 16, numRuns: 2, endOnFailure: true },
    );
    console.log(`# pushes tried: ${seen.join(', ')}`);
    assert.equal(await p.pid('controller'), controller, 'the same controller process answers');
    const db = new pg.Client({ connectionString: p.env['DATABASE_URL'] });
    await db.connect();
    try {
      let problems = await dbProblems(db);
      // A push whose client went away ends its build in the background: give it a few seconds.
      for (let i = 0; i < 20 && problems.length; i++) {
        await new Promise((r) => setTimeout(r, 500));
        problems = await dbProblems(db);
      }
      assert.deepEqual(problems, []);
    } finally {
      await db.end();
    }
  });
});

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { AppError, EgressGuard, createLogger } from '@paas/shared';
import { existsSync } from 'node:fs';
import { fetchGuarded, type FetchHop } from './tarball-buildpack.js';
import { BuildpackFetcher } from './buildpack-fetcher.js';
import type { GitBuildpack } from './buildpack-plan.js';

let work: string;
let origin: string;
const log = createLogger('test', 'silent');
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, stdio: 'pipe' }).toString().trim();

function commitFile(content: string): string {
  writeFileSync(join(origin, 'bin', 'detect'), content, { mode: 0o755 });
  git(origin, 'add', '-A');
  git(origin, 'commit', '-qm', content);
  return git(origin, 'rev-parse', 'HEAD');
}

async function files(tar: Readable): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const ex = extract();
  ex.on('entry', (h, s, next) => {
    let body = '';
    s.on('data', (c: unknown) => (body += String(c)));
    s.on('end', () => {
      if (h.type === 'file') out[`${h.name}${(h.mode ?? 0) & 0o111 ? ' (executable)' : ''}`] = body;
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    tar.on('error', reject);
    tar.pipe(ex);
  });
  return out;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'paas-fetcher-'));
  origin = join(work, 'origin');
  mkdirSync(join(origin, 'bin'), { recursive: true });
  git(origin, 'init', '-q', '--initial-branch=main');
});
after(() => rmSync(work, { recursive: true, force: true }));

const fetcher = (allowFileUrls = true): BuildpackFetcher =>
  new BuildpackFetcher({ cacheDir: join(work, 'cache'), guard: new EgressGuard({ allowFileUrls }), env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, log });
const bp = (ref?: string): GitBuildpack => ({ kind: 'git', url: `file://${origin}`, ref, name: 'hello-bp' });

test('fetches the default branch, a tag and a commit; the tree comes as a tar under the buildpack name, modes kept', async () => {
  const v1 = commitFile('#!/bin/sh\necho v1\n');
  git(origin, 'tag', 'v1');
  const v2 = commitFile('#!/bin/sh\necho v2\n');
  const head = await fetcher().fetch(bp());
  assert.equal(head.commit, v2);
  assert.deepEqual(await files(head.archive()), { 'hello-bp/bin/detect (executable)': '#!/bin/sh\necho v2\n' });
  assert.equal((await fetcher().fetch(bp('v1'))).commit, v1);
  assert.equal((await fetcher().fetch(bp(v1))).commit, v1);
  assert.equal((await fetcher().fetch(bp('main'))).commit, v2);
});

test('an unreachable remote falls back to the cached copy; without one the build fails saying so', async () => {
  const before = (await fetcher().fetch(bp('main'))).commit;
  renameSync(origin, `${origin}-gone`);
  try {
    const stale = await fetcher().fetch(bp('main'));
    assert.deepEqual({ commit: stale.commit, stale: stale.stale }, { commit: before, stale: true });
    await assert.rejects(
      fetcher().fetch(bp('no-such-branch')),
      (err: unknown) => err instanceof AppError && err.code === 'build_failed' && /could not be fetched/.test(err.message),
    );
  } finally {
    renameSync(`${origin}-gone`, origin);
  }
});

test('file:// URLs are refused unless allowed', async () => {
  await assert.rejects(fetcher(false).fetch(bp()), /file:\/\/ URLs are not allowed/);
});

test('a tarball URL (.tgz) is downloaded, its top directory stripped, entries put under the buildpack name; a broken one fails saying so', async () => {
  // A GitHub-style archive: everything under one top directory, bin/ in it.
  const tree = join(work, 'tarball-src');
  mkdirSync(join(tree, 'bp-1.2.3', 'bin'), { recursive: true });
  writeFileSync(join(tree, 'bp-1.2.3', 'bin', 'compile'), '#!/bin/sh\necho compiled\n', { mode: 0o755 });
  writeFileSync(join(tree, 'bp-1.2.3', 'README'), 'read me\n');
  const tgz = join(work, 'bp.tgz');
  execFileSync('tar', ['-C', tree, '-czf', tgz, 'bp-1.2.3']);
  const tarball: GitBuildpack = { kind: 'git', url: `file://${tgz}`, ref: undefined, name: 'bp' };
  const got = await fetcher().fetch(tarball);
  assert.match(got.commit, /^sha256:[0-9a-f]{64}$/);
  assert.equal(got.stale, false);
  assert.deepEqual(await files(got.archive()), { 'bp/bin/compile (executable)': '#!/bin/sh\necho compiled\n', 'bp/README': 'read me\n' });

  // bin/ at the root (Heroku's registry tarballs): nothing stripped. Unreachable later: the cached copy.
  const flat = join(work, 'flat.tar.gz');
  execFileSync('tar', ['-C', join(tree, 'bp-1.2.3'), '-czf', flat, 'bin', 'README']);
  const flatBp: GitBuildpack = { kind: 'git', url: `file://${flat}`, ref: undefined, name: 'flat' };
  assert.deepEqual(Object.keys(await files((await fetcher().fetch(flatBp)).archive())).sort(), ['flat/README', 'flat/bin/compile (executable)']);
  renameSync(flat, `${flat}-gone`);
  try {
    const stale = await fetcher().fetch(flatBp);
    assert.equal(stale.stale, true);
    assert.deepEqual(Object.keys(await files(stale.archive())).sort(), ['flat/README', 'flat/bin/compile (executable)']);
  } finally {
    renameSync(`${flat}-gone`, flat);
  }

  const notTar = join(work, 'not.tgz');
  writeFileSync(notTar, 'this is not an archive');
  await assert.rejects(
    fetcher().fetch({ kind: 'git', url: `file://${notTar}`, ref: undefined, name: 'not' }),
    (err: unknown) => err instanceof AppError && err.code === 'build_failed' && /could not be fetched: it is not a tar archive/.test(err.message),
  );
  await assert.rejects(fetcher().fetch({ ...tarball, ref: 'v1' }), /a tarball URL takes no #ref/);
});

test('a buildpack URL the egress guard refuses fails the build before git or curl runs, and the cache is not used', async () => {
  const resolved: string[] = [];
  const guard = new EgressGuard({ ownAddresses: () => [], resolve: async (n) => (resolved.push(n), ['127.0.0.1']) });
  const cacheDir = join(work, 'guarded-cache');
  const f = new BuildpackFetcher({ cacheDir, guard, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, log });
  for (const [url, reason] of [
    ['https://127.1/bp.git', /127\.0\.0\.1 is a loopback address/],
    ['https://[::ffff:169.254.169.254]/bp.tgz', /link-local/],
    ['https://rebind.example.com/bp.git', /rebind\.example\.com is refused: it resolves to 127\.0\.0\.1, a loopback address/],
    ['https://localhost/bp.tgz', /localhost is refused/],
  ] as const) {
    await assert.rejects(
      f.fetch({ kind: 'git', url, ref: undefined, name: 'x' }),
      (err: unknown) => err instanceof AppError && err.code === 'build_failed' && reason.test(err.message),
      url,
    );
  }
  assert.deepEqual(resolved, ['rebind.example.com'], 'only the name went to the resolver');
  assert.equal(existsSync(cacheDir), false, 'no repository was made, nothing was fetched');
});

test('tarball redirects are followed one hop at a time, each checked by the guard and pinned to the address checked', async () => {
  const answers: Record<string, string[]> = { 'cdn.example.com': ['198.51.100.4'], 'meta.example.com': ['169.254.169.254'] };
  const guard = new EgressGuard({ ownAddresses: () => [], resolve: async (n) => answers[n] ?? [] });
  const hops: string[] = [];
  const chain: Record<string, FetchHop> = {
    'https://cdn.example.com/a.tgz': { status: 302, location: '/b.tgz' },
    'https://cdn.example.com/b.tgz': { status: 200, location: undefined },
    'https://cdn.example.com/evil.tgz': { status: 301, location: 'https://meta.example.com/latest' },
    'https://cdn.example.com/plain.tgz': { status: 302, location: 'http://cdn.example.com/a.tgz' },
    'https://cdn.example.com/loop.tgz': { status: 302, location: 'https://cdn.example.com/loop.tgz' },
  };
  const once = async (url: string, pinned: { host: string; port: number; address: string } | undefined): Promise<FetchHop> => {
    hops.push(`${url} @${pinned?.address}:${pinned?.port}`);
    return chain[url]!;
  };
  await fetchGuarded('https://cdn.example.com/a.tgz', guard, once);
  assert.deepEqual(hops, ['https://cdn.example.com/a.tgz @198.51.100.4:443', 'https://cdn.example.com/b.tgz @198.51.100.4:443']);
  hops.length = 0;
  await assert.rejects(fetchGuarded('https://cdn.example.com/evil.tgz', guard, once), /meta\.example\.com is refused: it resolves to 169\.254\.169\.254/);
  await assert.rejects(fetchGuarded('https://cdn.example.com/plain.tgz', guard, once), /plain http:\/\/ is not allowed/);
  assert.deepEqual(hops, ['https://cdn.example.com/evil.tgz @198.51.100.4:443', 'https://cdn.example.com/plain.tgz @198.51.100.4:443'], 'the refused hops were never requested');
  await assert.rejects(fetchGuarded('https://cdn.example.com/loop.tgz', guard, once), /more than 5 redirects/);
});

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { AppError, createLogger } from '@paas/shared';
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
  new BuildpackFetcher({ cacheDir: join(work, 'cache'), allowFileUrls, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, log });
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

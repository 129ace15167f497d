// Real git: a repo's receive.maxInputSize refuses a pack over PAAS_MAX_PUSH_MB before the hook runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RepoManager } from './repo-manager.js';

const run = promisify(execFile);

describe('RepoManager input limit', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paas-repos-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function workTree(name: string, bytes: number): Promise<string> {
    const work = join(dir, name);
    await run('git', ['init', '--quiet', '--initial-branch=main', work]);
    // Random bytes do not compress: the pack is about as large as the file.
    await writeFile(join(work, 'blob.bin'), randomBytes(bytes));
    await run('git', ['-C', work, 'add', '.']);
    await run('git', ['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--quiet', '-m', 'x']);
    return work;
  }

  test('a pack over the limit is refused by receive-pack with its message; a smaller one reaches the hook', async () => {
    const repos = new RepoManager(join(dir, 'repos'), { maxPushBytes: 256 * 1024 });
    await repos.create('shop');
    const { stdout } = await run('git', ['config', '--file', join(repos.path('shop'), 'config'), 'receive.maxInputSize']);
    assert.equal(stdout.trim(), String(256 * 1024));

    const big = await workTree('big', 1024 * 1024);
    await assert.rejects(run('git', ['-C', big, 'push', repos.path('shop'), 'main']), (err: Error & { stderr: string }) => {
      assert.match(err.stderr, /pack exceeds maximum allowed size/);
      return true;
    });
    const small = await workTree('small', 16 * 1024);
    // Past the pack check, the hook runs (and refuses: this repo has no hook settings).
    await assert.rejects(run('git', ['-C', small, 'push', repos.path('shop'), 'main']), (err: Error & { stderr: string }) => {
      assert.doesNotMatch(err.stderr, /pack exceeds maximum allowed size/);
      assert.match(err.stderr, /not set up for paas/);
      return true;
    });
  });
});

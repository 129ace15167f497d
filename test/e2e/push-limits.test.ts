/**
 * PAAS_MAX_PUSH_MB end to end with the real git client over HTTP: a pack over the limit is refused by
 * git's receive.maxInputSize, and a tree over it (a small pack of very compressible files) by the
 * controller as the hook streams it, both with a message and before anything is built.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gitPush, gitRepo, startPlatform, type Platform } from '../helpers/platform.js';

describe('pushes over PAAS_MAX_PUSH_MB', { timeout: 300_000 }, () => {
  let p: Platform;
  let work: string;
  const app = `big-${randomBytes(3).toString('hex')}`;

  before(async () => {
    p = await startPlatform({ env: { PAAS_MAX_PUSH_MB: '1' } });
    work = await mkdtemp(join(tmpdir(), 'paas-e2e-push-'));
    const created = await p.paas(['apps:create', app]);
    assert.equal(created.code, 0, created.stderr);
  });
  after(async () => {
    if (process.exitCode) console.log(await p?.logs());
    await p?.stop();
    await rm(work, { recursive: true, force: true });
  });

  async function appDir(name: string, files: Record<string, Buffer>): Promise<string> {
    const dir = join(work, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'index.html'), '<p>hi</p>\n');
    for (const [file, content] of Object.entries(files)) await writeFile(join(dir, file), content);
    await gitRepo(dir);
    const remote = await p.paas(['git:remote', '-a', app], { cwd: dir });
    assert.equal(remote.code, 0, remote.stderr);
    return dir;
  }

  test('a pack over the limit is refused by git itself', async () => {
    // Random bytes do not compress: a 3 MB pack.
    const dir = await appDir('random', { 'blob.bin': randomBytes(3 * 1024 * 1024) });
    const res = await gitPush(p, dir);
    if (process.env['PAAS_TEST_SHOW']) console.log(res.output);
    assert.notEqual(res.code, 0, res.output);
    assert.match(res.output, /pack exceeds maximum allowed size/);
    assert.doesNotMatch(res.output, /Building/);
  });

  test('a tree over the limit (from a small pack) is refused by the controller with the limit', async () => {
    // 8 MB of zeros packs into a few kB: only the tree's size shows it.
    const dir = await appDir('zeros', { 'zeros.bin': Buffer.alloc(8 * 1024 * 1024) });
    const res = await gitPush(p, dir);
    if (process.env['PAAS_TEST_SHOW']) console.log(res.output);
    assert.notEqual(res.code, 0, res.output);
    assert.match(res.output, /remote: +! +the pushed tree is larger than 1 MB \(PAAS_MAX_PUSH_MB\): remove large files/);
    assert.match(res.output, new RegExp(`remote: +! +Push rejected to ${app}\\.`));
    assert.doesNotMatch(res.output, /Building/);
    const builds = await p.paas(['builds', '-a', app, '--json']);
    assert.equal(builds.code, 0, builds.stderr);
    const list = JSON.parse(builds.stdout) as { status: string }[];
    assert.ok(list.length >= 1 && list.every((b) => b.status === 'failed'), builds.stdout);
  });
});

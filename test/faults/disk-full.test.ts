/**
 * The disk builds are written to fills up (a small tmpfs mounted over $PAAS_HOME/builds, then filled):
 * a push is refused at once with a message saying the disk is nearly full, the app keeps serving,
 * and once space is freed the next push deploys. Needs root (to mount the tmpfs); skipped otherwise.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { commitAll, gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';

const canMount = process.getuid?.() === 0;

describe('a full disk on the build host', { timeout: 600_000, skip: canMount ? false : 'needs root to mount a tmpfs' }, () => {
  let p: Platform;
  let work: string;
  let dir: string;
  let mounted: string | undefined;
  const app = `diskfull-${randomBytes(3).toString('hex')}`;

  before(async () => {
    p = await startPlatform({ env: { PAAS_MIN_FREE_DISK_MB: '8' } });
    work = await mkdtemp(join(tmpdir(), 'paas-diskfull-'));
    dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/static-site'), dir, { recursive: true });
    await gitRepo(dir);
    assert.equal((await p.paas(['apps:create', app])).code, 0);
    assert.equal((await p.paas(['git:remote', '-a', app], { cwd: dir })).code, 0);
    const pushed = await gitPush(p, dir);
    assert.equal(pushed.code, 0, pushed.output);
    const builds = join(p.home, 'builds');
    await mkdir(builds, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', builds]);
    mounted = builds;
  });
  after(async () => {
    if (mounted) execFileSync('umount', ['-l', mounted]);
    await p?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('pushes are refused with a clear message while the disk is nearly full; the app keeps serving', async () => {
    const filler = join(mounted!, 'filler');
    await writeFile(filler, Buffer.alloc(12 * 1024 * 1024));
    await writeFile(join(dir, 'public', 'index.html'), '<h1>second</h1>\n');
    await commitAll(dir, 'second');
    const refused = await gitPush(p, dir);
    assert.notEqual(refused.code, 0);
    assert.match(refused.output, /is nearly full \(\d+ MB free, builds need 8 MB\): builds are refused until space is freed/);
    const page = await p.get(app);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.body, /second/);
    const builds = JSON.parse((await p.paas(['builds', '--json', '-a', app])).stdout) as unknown[];
    assert.equal(builds.length, 1, 'a refused push leaves no build row');

    await rm(filler);
    const again = await gitPush(p, dir);
    assert.equal(again.code, 0, again.output);
    assert.match((await p.get(app)).body, /second/);
  });
});

/**
 * A builder SIGKILLed mid-build (by its recorded pid, under the supervisor as `npm run up` runs it):
 * the push ends within a minute with "the builder was lost", the build row ends failed with that
 * reason, the `sleep infinity` build container it left is removed when the builder starts again, and
 * the next push works.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { commitAll, gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';
import { eventually } from '@paas/test-kit';

describe('builder killed mid-build', { timeout: 600_000 }, () => {
  let p: Platform;
  let work: string;
  let slowBuildpack: string;
  const docker = new Docker();
  const app = `lostbuild-${randomBytes(3).toString('hex')}`;

  const buildContainers = async (): Promise<Docker.ContainerInfo[]> =>
    docker.listContainers({ all: true, filters: { label: [`paas.cluster=${p.cluster}`, 'paas.role=build'] } });
  before(async () => {
    p = await startPlatform({ supervised: true, env: { PAAS_BUILDPACK_ALLOW_FILE_URLS: '1' } });
    work = await mkdtemp(join(tmpdir(), 'paas-lostbuild-'));
    // A buildpack whose compile takes five minutes, as a tarball reached by a file:// URL.
    const bp = join(work, 'slow-bp', 'bin');
    await mkdir(bp, { recursive: true });
    await writeFile(join(bp, 'detect'), '#!/bin/sh\necho Slow\n');
    await writeFile(join(bp, 'compile'), '#!/bin/sh\necho "-----> Slow buildpack"\nsleep 300\n');
    await writeFile(join(bp, 'release'), '#!/bin/sh\necho "--- {}"\n');
    for (const f of ['detect', 'compile', 'release']) await chmod(join(bp, f), 0o755);
    slowBuildpack = join(work, 'slow-bp.tgz');
    await new Promise<void>((resolve, reject) =>
      spawn('tar', ['-C', work, '-czf', slowBuildpack, 'slow-bp']).on('close', (code) => (code === 0 ? resolve() : reject(new Error('tar failed')))),
    );
  });
  after(async () => {
    await p?.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('the push ends with "the builder was lost", the build fails, its container goes, the next push works', async () => {
    assert.equal((await p.paas(['apps:create', app])).code, 0);
    const dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/static-site'), dir, { recursive: true });
    await writeFile(join(dir, '.buildpacks'), `file://${slowBuildpack}\n`);
    await gitRepo(dir);
    assert.equal((await p.paas(['git:remote', '-a', app], { cwd: dir })).code, 0);

    const push = gitPush(p, dir);
    const container = await eventually(async () => (await buildContainers()).find((c) => c.State === 'running'), 'the build container', { timeoutMs: 180_000, intervalMs: 250, detail: () => p.logs() });
    const builder = (await p.pid('builder'))!;
    const killedAt = Date.now();
    process.kill(builder, 'SIGKILL');

    const pushed = await push;
    const seconds = (Date.now() - killedAt) / 1000;
    console.log(`# builder SIGKILLed mid-build: the push ended after ${seconds.toFixed(1)} s`);
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.output, /the builder was lost/);
    assert.ok(seconds < 60, `the push ended after ${seconds} s`);

    const builds = JSON.parse((await p.paas(['builds', '--json', '-a', app])).stdout) as { status: string; error: string }[];
    assert.equal(builds[0]?.status, 'failed');
    assert.match(builds[0]!.error, /the builder was lost/);

    // The supervisor started the builder again; it removed the build container the killed one left.
    assert.notEqual(await p.pid('builder'), builder);
    await eventually(async () => ((await buildContainers()).some((c) => c.Id === container.Id) ? undefined : true), 'the leftover build container to go', { timeoutMs: 90_000, intervalMs: 250, detail: () => p.logs() });

    await rm(join(dir, '.buildpacks'));
    await commitAll(dir, 'the static buildpack');
    const again = await gitPush(p, dir);
    assert.equal(again.code, 0, again.output);
    assert.equal((await p.get(app)).status, 200);
  });
});

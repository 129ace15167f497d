/**
 * `paas rename` end to end (issue 18) with the real CLI, git, builder, Docker, PostgreSQL, Redis and
 * router: after a push and a rename, the new hostname serves through the router and the old one is
 * 404; ps, logs, config, releases and scale work under the new name; nothing is left on the engine
 * under the old name; the repository's paas remote follows and a second push deploys.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { eventually } from '@paas/test-kit';
import { commitAll, gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';

const run = promisify(execFile);

describe('renaming an app', { timeout: 900_000 }, () => {
  let p: Platform;
  let work: string;
  let dir: string;
  const suffix = randomBytes(3).toString('hex');
  const before1 = `rn-${suffix}`;
  const after1 = `renamed-${suffix}`;
  const docker = new Docker();

  before(async () => {
    p = await startPlatform();
    work = await mkdtemp(join(tmpdir(), 'paas-e2e-rename-'));
    dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/rename-app'), dir, { recursive: true });
    await gitRepo(dir);
  });
  after(async () => {
    if (process.exitCode) console.log(await p?.logs());
    await p?.stop();
    await rm(work, { recursive: true, force: true });
  });

  const engine = async (app: string) => {
    const labels = [`paas.cluster=${p.cluster}`, `paas.app=${app}`];
    return {
      containers: (await docker.listContainers({ all: true, filters: { label: labels } })).map((c) => c.Labels['paas.process']),
      images: (await docker.listImages({ filters: { label: labels } })).flatMap((i) => i.RepoTags ?? []),
      networks: (await docker.listNetworks({ filters: { label: labels } })).map((n) => n.Name),
    };
  };

  test('a pushed app renamed: the new hostname serves, the old one is 404, the remote follows', async () => {
    const created = await p.paas(['create', before1], { cwd: dir });
    assert.equal(created.code, 0, created.stderr);
    const pushed = await gitPush(p, dir);
    assert.equal(pushed.code, 0, `${pushed.output}\n${await p.logs()}`);
    assert.match((await p.get(before1)).body, /served by web\.1 first/);
    await p.paas(['config:set', 'MESSAGE=configured'], { cwd: dir });
    assert.match((await p.get(before1)).body, /served by web\.1 configured/);
    // the process v1 ran drains for a moment after v2's serves
    const old = await eventually(async () => {
      const e = await engine(before1);
      return e.containers.length === 1 && e;
    }, 'the replaced process is gone', { timeoutMs: 60_000 });
    assert.deepEqual(old.containers, ['web.1']);
    assert.ok(old.images.some((t) => t.startsWith(`paas/${before1}:`)), JSON.stringify(old));

    const renamed = await p.paas(['rename', after1], { cwd: dir });
    assert.equal(renamed.code, 0, `${renamed.stderr}\n${await p.logs()}`);
    assert.match(renamed.stdout, new RegExp(`http://${after1}\\.localhost`));
    assert.match(renamed.stdout, /Git remote paas updated/);
    assert.match(renamed.stderr, /Don't forget to update git remotes for all other local checkouts of the app/);
    const remote = (await run('git', ['remote', 'get-url', 'paas'], { cwd: dir })).stdout.trim();
    assert.ok(remote.endsWith(`/${after1}.git`), remote);

    const served = await p.get(after1);
    assert.equal(served.status, 200);
    assert.match(served.body, /served by web\.1 configured/, 'the same release and config serve under the new name');
    assert.equal((await p.get(before1)).status, 404, 'the old hostname no longer routes');

    const gone = await engine(before1);
    assert.deepEqual(gone, { containers: [], images: [], networks: [] }, 'nothing is left under the old name');
    const now = await engine(after1);
    assert.deepEqual(now.containers, ['web.1']);
    assert.ok(now.images.some((t) => t.startsWith(`paas/${after1}:`)), JSON.stringify(now));
  });

  test('ps, logs, config, releases, scale and info work under the new name; the old name is unknown', async () => {
    const ps = await p.paas(['ps', '--json'], { cwd: dir });
    assert.equal(ps.code, 0, ps.stderr);
    assert.deepEqual((JSON.parse(ps.stdout) as { name: string; state: string }[]).map((d) => [d.name, d.state]), [['web.1', 'up']]);
    await eventually(async () => {
      const logs = await p.paas(['logs', '-n', '200'], { cwd: dir });
      assert.equal(logs.code, 0, logs.stderr);
      assert.match(logs.stdout, /app\[web\.1\]: web started as web\.1/);
      return true;
    }, 'the new processes log lines under the new name', { timeoutMs: 60_000 });
    const config = await p.paas(['config', '--json'], { cwd: dir });
    assert.deepEqual(JSON.parse(config.stdout), { MESSAGE: 'configured' });
    const releases = await p.paas(['releases'], { cwd: dir });
    assert.match(releases.stdout, /v2\s+Set MESSAGE config vars/);
    assert.match(releases.stdout, /v1\s+Deploy [0-9a-f]{7}/);
    const scaled = await p.paas(['scale', 'web=2'], { cwd: dir });
    assert.equal(scaled.code, 0, scaled.stderr);
    const two = await p.paas(['ps', '--json', '-a', after1]);
    assert.deepEqual((JSON.parse(two.stdout) as { name: string }[]).map((d) => d.name).sort(), ['web.1', 'web.2']);
    const info = await p.paas(['info', '--json'], { cwd: dir });
    assert.equal((JSON.parse(info.stdout) as { name: string }).name, after1);
    const oldInfo = await p.paas(['info', '-a', before1]);
    assert.notEqual(oldInfo.code, 0);
    assert.match(oldInfo.stderr, /Couldn't find that app/);
  });

  test('a second push to the renamed remote deploys; a rename to a taken name is refused', async () => {
    await writeFile(join(dir, 'Procfile'), 'web: mkdir -p /tmp/www && echo "second push as $DYNO" >/tmp/www/index.html && exec busybox httpd -f -p 8080 -h /tmp/www\n');
    await commitAll(dir, 'second');
    const pushed = await gitPush(p, dir);
    assert.equal(pushed.code, 0, `${pushed.output}\n${await p.logs()}`);
    assert.match(pushed.output, new RegExp(`http://${after1}\\.localhost`));
    assert.match((await p.get(after1)).body, /second push as web\.[12]/);

    const other = `other-${suffix}`;
    assert.equal((await p.paas(['create', other, '--no-remote'])).code, 0);
    const taken = await p.paas(['rename', other], { cwd: dir });
    assert.notEqual(taken.code, 0);
    assert.match(taken.stderr, new RegExp(`Name ${other} is already taken`));
    assert.match((await p.get(after1)).body, /second push/);
  });
});

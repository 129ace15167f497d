/**
 * The walking skeleton end to end: the real CLI, the real git client pushing over HTTP, BullMQ, the
 * builder with the Node.js buildpack on the real Docker engine, the controller's release, and the router.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { commitAll, gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';

describe('git push deploys a Node.js app', { timeout: 900_000 }, () => {
  let p: Platform;
  let work: string;
  const app = `hello-${randomBytes(3).toString('hex')}`;

  before(async () => {
    p = await startPlatform();
    work = await mkdtemp(join(tmpdir(), 'paas-e2e-app-'));
  });
  after(async () => {
    if (process.exitCode) console.log(await p?.logs());
    await p?.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('apps:create, git:remote, push, serve, push again, destroy', async () => {
    const created = await p.paas(['apps:create', app]);
    assert.equal(created.code, 0, created.stderr);

    const dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/hello-express'), dir, { recursive: true });
    await gitRepo(dir);
    const remote = await p.paas(['git:remote', '-a', app], { cwd: dir });
    assert.equal(remote.code, 0, remote.stderr);
    const gitConfig = await readFile(join(dir, '.git/config'), 'utf8');
    assert.ok(!gitConfig.includes('paas_') && !/\/\/[^/]*@/.test(gitConfig), 'no token in the remote URL or config');

    // Cold push: the build streams back and the push ends once the release serves.
    const first = await gitPush(p, dir);
    assert.equal(first.code, 0, `${first.output}\n${await p.logs()}`);
    assert.match(first.output, /remote: -----> Node\.js app detected/);
    assert.match(first.output, /remote: -----> Launching\.\.\./);
    assert.match(first.output, /remote:\s+Released v1/);
    assert.match(first.output, new RegExp(`remote:\\s+http://${app}\\.localhost:${p.routerPort}/ deployed to paas`));
    const served = await p.get(app);
    assert.equal(served.status, 200);
    assert.match(served.body, /hello from paas v1 \(web\.1/);

    // The CLI infers the app from the paas remote.
    const ps = await p.paas(['ps'], { cwd: dir });
    assert.equal(ps.code, 0, ps.stderr);
    assert.match(ps.stdout, /web\.1\s+up/);

    // Warm push of a code-only change: live when the push returns; the install runs again (install
    // scripts always run) with npm ci from npm's cache.
    const index = join(dir, 'index.js');
    await writeFile(index, (await readFile(index, 'utf8')).replace('hello from paas v1', 'hello from paas v2'));
    await commitAll(dir, 'v2');
    const second = await gitPush(p, dir);
    assert.equal(second.code, 0, second.output);
    assert.match(second.output, /Restoring cache/);
    assert.match(second.output, /Installing node modules\s*$/m);
    assert.match(second.output, /Released v2/);
    const after2 = await p.get(app);
    assert.match(after2.body, /hello from paas v2/);

    // The old release's container is removed once it has drained (in the background).
    const docker = new Docker();
    const releasesRunning = async () =>
      (await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${p.cluster}`, `paas.app=${app}`, 'paas.role=process'] } })).map(
        (c) => c.Labels['paas.release'],
      );
    for (let i = 0; i < 60 && (await releasesRunning()).length > 1; i++) await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await releasesRunning(), ['2']);

    // A release that does not boot is refused with its output; v2 keeps serving.
    await writeFile(index, `console.log('booting v3'); throw new Error('missing DATABASE_URL');\n`);
    await commitAll(dir, 'broken');
    const broken = await gitPush(p, dir);
    assert.notEqual(broken.code, 0);
    assert.match(broken.output, /web\.1 crashed while booting/);
    assert.match(broken.output, /missing DATABASE_URL/);
    assert.match(broken.output, /pre-receive hook declined/);
    assert.match((await p.get(app)).body, /hello from paas v2/);
    await writeFile(index, (await readFile(join(repoRoot, 'test/fixtures/hello-express/index.js'), 'utf8')).replace('hello from paas v1', 'hello from paas v2'));
    await commitAll(dir, 'fixed');

    // Config changes make a release and reach the process.
    const set = await p.paas(['config:set', 'GREETING=bonjour'], { cwd: dir });
    assert.equal(set.code, 0, set.stderr);
    assert.match((await p.get(app)).body, /GREETING=bonjour/);
    const releases = await p.paas(['releases'], { cwd: dir });
    assert.match(releases.stdout, /v4\s+Set GREETING config vars/);
    assert.match(releases.stdout, /v3\s+Deploy [0-9a-f]{7}.*failed/);

    // Destroy: containers, route and repo go; the router answers 404.
    const refused = await p.paas(['apps:destroy', app]);
    assert.notEqual(refused.code, 0);
    const destroyed = await p.paas(['apps:destroy', app, '--confirm', app]);
    assert.equal(destroyed.code, 0, destroyed.stderr);
    const gone = await p.get(app);
    assert.equal(gone.status, 404);
    const left = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${p.cluster}`, `paas.app=${app}`] } });
    assert.deepEqual(left, []);
    const images = await docker.listImages({ filters: { label: [`paas.cluster=${p.cluster}`, `paas.app=${app}`] } });
    assert.deepEqual(images, []);
    const networks = await docker.listNetworks({ filters: { label: [`paas.cluster=${p.cluster}`, `paas.app=${app}`] } });
    assert.deepEqual(networks, [], "the app's network goes with it");
  });

  test('bad pushes are refused with a reason and change nothing', async () => {
    const name = `bad-${randomBytes(3).toString('hex')}`;
    assert.equal((await p.paas(['apps:create', name])).code, 0);
    const dir = join(work, 'bad');
    await cp(join(repoRoot, 'test/fixtures/hello-express'), dir, { recursive: true });
    await rm(join(dir, 'package.json'));
    await rm(join(dir, 'package-lock.json'));
    await gitRepo(dir);
    assert.equal((await p.paas(['git:remote', '-a', name], { cwd: dir })).code, 0);

    const noBuildpack = await gitPush(p, dir);
    assert.notEqual(noBuildpack.code, 0);
    assert.match(noBuildpack.output, /No buildpack detected/i);
    assert.match(noBuildpack.output, /pre-receive hook declined/);
    const builds = await p.paas(['releases', '--json'], { cwd: dir });
    assert.deepEqual(JSON.parse(builds.stdout), [], 'no release was made');

    // Without a token git is refused before anything is stored.
    const plain = join(work, 'plain');
    await cp(join(repoRoot, 'test/fixtures/hello-express'), plain, { recursive: true });
    await gitRepo(plain);
    const anon = await gitPushWithoutCredentials(p, plain, `${p.apiUrl}/${name}.git`);
    assert.notEqual(anon.code, 0);
    // To an app that does not exist.
    const missing = await gitPushWithoutCredentials(p, plain, `${p.apiUrl}/no-such-app.git`);
    assert.notEqual(missing.code, 0);
  });
});

async function gitPushWithoutCredentials(p: Platform, dir: string, url: string): Promise<{ code: number; output: string }> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const child = spawn('git', ['push', url, 'main'], {
      cwd: dir,
      env: { ...p.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

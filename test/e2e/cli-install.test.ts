/**
 * paas's CLI installed anywhere: the package `npm run build` makes (scripts/cli-package.mjs), served
 * by a running platform at /cli/paas-cli.tgz without a login, installs with npm into a fresh prefix
 * outside the checkout with no registry reachable (it has no dependencies); from a directory outside
 * the checkout, with a fresh home, the installed `paas` logs in, creates an app, adds the git remote
 * (whose credential helper is the installed paas, not the checkout's bin/paas) and pushes with git.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], opts: { cwd: string; env: Record<string, string> }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { ...opts, timeout: 600_000, maxBuffer: 10 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the CLI package: served by the platform, installed and used outside the checkout', { timeout: 900_000 }, () => {
  let p: Platform;
  let work: string;
  let packed: Buffer;
  /** A laptop's environment: its own HOME, PATH with the npm prefix's bin, no PAAS_* settings. */
  let laptop: Record<string, string>;
  let prefix: string;
  const app = `cli-${randomBytes(2).toString('hex')}`;
  let failed = false;
  const it = (name: string, fn: () => Promise<void>): void => {
    test(name, { timeout: 600_000 }, async () => {
      try {
        await fn();
      } catch (err) {
        failed = true;
        throw err;
      }
    });
  };

  before(async () => {
    work = await realpath(await mkdtemp(join(tmpdir(), 'paas-cli-install-')));
    assert.ok(!work.startsWith(repoRoot), 'the test works outside the checkout');
    const built = await run(process.execPath, [join(repoRoot, 'scripts/cli-package.mjs'), '--out', join(work, 'pack')], { cwd: repoRoot, env: { PATH: process.env['PATH'] ?? '' } });
    assert.equal(built.code, 0, built.stderr);
    packed = await readFile(join(work, 'pack', 'paas-cli.tgz'));
    p = await startPlatform({ env: { PAAS_CLI_TARBALL: join(work, 'pack', 'paas-cli.tgz') } });
    prefix = join(work, 'prefix');
    const home = join(work, 'home');
    await mkdir(home, { recursive: true });
    laptop = {
      HOME: home,
      PATH: `${join(prefix, 'bin')}:${(process.env['PATH'] ?? '').split(':').filter((d) => !d.startsWith(repoRoot)).join(':')}`,
      GIT_TERMINAL_PROMPT: '0',
      // git's own settings from this home only
      GIT_CONFIG_NOSYSTEM: '1',
    };
  });
  after(async () => {
    if (failed) console.log(await p?.logs());
    await p?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('GET /cli/paas-cli.tgz: no login needed, gzip, cacheable (ETag, 304), the bytes npm run build made; /version says which', async () => {
    const res = await fetch(`${p.apiUrl}/cli/paas-cli.tgz`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/gzip');
    assert.match(res.headers.get('cache-control') ?? '', /^public, max-age=\d+/);
    const etag = res.headers.get('etag');
    assert.ok(etag);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(createHash('sha256').update(body).digest('hex'), createHash('sha256').update(packed).digest('hex'));
    assert.equal(Number(res.headers.get('content-length')), packed.length);
    const again = await fetch(`${p.apiUrl}/cli/paas-cli.tgz`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const head = await fetch(`${p.apiUrl}/cli/paas-cli.tgz`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const root = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const version = (await (await fetch(`${p.apiUrl}/version`)).json()) as { version: string; cli: { url: string; install: string } };
    assert.equal(version.version, root.version);
    assert.equal(version.cli.install, `npm install -g ${p.apiUrl}/cli/paas-cli.tgz`);
    assert.equal(res.headers.get('paas-version'), root.version, 'every answer carries the version');
    assert.equal((await fetch(`${p.apiUrl}/cli/paas-cli.tgz/x`)).status, 401, 'nothing else is public');
  });

  it('installs with npm -g into a fresh prefix with no registry reachable, and runs from anywhere', async () => {
    const npm = await run(
      'npm',
      ['install', '-g', '--prefix', prefix, '--cache', join(work, 'npm-cache'), '--registry', 'http://127.0.0.1:9/', '--no-audit', '--no-fund', '--fetch-retries', '0', `${p.apiUrl}/cli/paas-cli.tgz`],
      { cwd: work, env: laptop },
    );
    assert.equal(npm.code, 0, `${npm.stdout}\n${npm.stderr}`);
    const installed = await realpath(join(prefix, 'bin', 'paas'));
    assert.ok(installed.startsWith(prefix) && installed.endsWith('bin/paas.js'), installed);
    const which = await run('sh', ['-c', 'command -v paas'], { cwd: work, env: laptop });
    assert.equal(which.stdout.trim(), join(prefix, 'bin', 'paas'));
    const help = await run('paas', ['help'], { cwd: work, env: laptop });
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /stack:set/);
  });

  it('logs in, creates an app, adds the remote with the installed paas as credential helper, pushes; paas version shows both', async () => {
    const creds = Object.fromEntries(
      (await readFile(join(p.home, 'admin-credentials'), 'utf8')).trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    ) as { email: string; password: string };
    const dir = join(work, 'site');
    await cp(join(repoRoot, 'test/fixtures/static-site'), dir, { recursive: true });
    await gitRepo(dir);
    const paas = (args: string[]): Promise<Run> => run('paas', args, { cwd: dir, env: laptop });

    const login = await paas(['login', '--api', p.apiUrl, '--email', creds.email, '--password', creds.password]);
    assert.equal(login.code, 0, login.stderr);
    const stored = JSON.parse(await readFile(join(laptop['HOME']!, '.paas', 'cli.json'), 'utf8')) as { api_url: string };
    assert.equal(stored.api_url, p.apiUrl);
    assert.equal((await paas(['apps:create', app])).code, 0);
    const remote = await paas(['git:remote', '-a', app]);
    assert.equal(remote.code, 0, remote.stderr);
    const helper = await run('git', ['config', '--get-regexp', 'credential\\..*\\.helper'], { cwd: dir, env: laptop });
    assert.match(helper.stdout, new RegExp(`!'${process.execPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' '${prefix}/lib/node_modules/paas-cli/bin/paas\\.js' git:credential`));
    assert.doesNotMatch(helper.stdout, new RegExp(repoRoot), "the checkout's bin/paas is not used");

    const push = await run('git', ['push', 'paas', 'main'], { cwd: dir, env: laptop });
    assert.equal(push.code, 0, `${push.stdout}\n${push.stderr}\n${await p.logs()}`);
    assert.match(push.stderr, /remote: -----> Static site app detected/);
    assert.match((await p.get(app)).body, /hello from a static site/);

    const version = await paas(['version']);
    assert.equal(version.code, 0, version.stderr);
    const root = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout, `paas CLI: ${root.version}\nPlatform: ${root.version} (${p.apiUrl})\n`);
    assert.equal(version.stderr, '', 'no version warning when they match');
  });
});

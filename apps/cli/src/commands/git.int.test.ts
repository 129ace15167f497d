import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startFixture, type Fixture } from '../test-support/fixture.js';
import { selfCommandFromSource, tempDir } from '../test-support/run-cli.js';

/** Runs git in `cwd` isolated from the user's global and system config. */
function gitIsolated(args: string[], cwd: string, home: string, input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'git',
      args,
      {
        cwd,
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: home,
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_TERMINAL_PROMPT: '0',
          GIT_ASKPASS: '',
          SSH_ASKPASS: '',
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
    child.stdin?.end(input);
  });
}

describe('git:remote and the credential helper', () => {
  let f: Fixture;
  let repo: { path: string; cleanup: () => Promise<void> };
  let gitHome: string;
  before(async () => {
    f = await startFixture();
    await f.app('shop', { deployed: false });
    await f.app('blog', { deployed: false });
    repo = await tempDir('repo');
    gitHome = join(repo.path, 'home');
    execFileSync('mkdir', ['-p', gitHome]);
    execFileSync('git', ['init', '-q', join(repo.path, 'app')]);
  });
  after(async () => {
    await f.close();
    await repo.cleanup();
  });
  const cwd = () => join(repo.path, 'app');
  const origin = () => new URL(f.url).origin;
  const host = () => new URL(f.url).host;

  it('adds the paas remote with the git URL from the API, no token in it', async () => {
    const res = await f.cli(['git:remote', '-a', 'shop'], { cwd: cwd() });
    assert.equal(res.stderr, '');
    assert.equal(res.code, 0);
    assert.equal(res.stdout, `set git remote paas to ${f.url}/shop.git\n`);
    assert.equal(execFileSync('git', ['remote', 'get-url', 'paas'], { cwd: cwd() }).toString().trim(), `${f.url}/shop.git`);
    const gitConfig = await readFile(join(cwd(), '.git', 'config'), 'utf8');
    assert.ok(!gitConfig.includes(f.token), 'the token is not in .git/config');
  });

  it('installs a credential helper for the URL origin, carrying PAAS_HOME', () => {
    const helpers = execFileSync('git', ['config', '--local', '--get-all', `credential.${origin()}.helper`], { cwd: cwd() })
      .toString()
      .split('\n');
    const expected = `!PAAS_HOME='${f.home}' ${selfCommandFromSource.map((w) => `'${w}'`).join(' ')} git:credential`;
    assert.deepEqual(helpers, ['', expected, '']);
  });

  it('git credential fill gets the token from the helper', async () => {
    const res = await gitIsolated(['credential', 'fill'], cwd(), gitHome, `protocol=http\nhost=${host()}\npath=shop.git\n\n`);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trim().split('\n');
    assert.ok(lines.includes('username=paas'), res.stdout);
    assert.ok(lines.includes(`password=${f.token}`), res.stdout);
  });

  it('the helper does not answer for other hosts', async () => {
    const res = await gitIsolated(['credential', 'fill'], cwd(), gitHome, 'protocol=https\nhost=example.com\n\n');
    assert.notEqual(res.code, 0);
    assert.ok(!res.stdout.includes(f.token));
  });

  it('the app is inferred from the remote inside the repo', async () => {
    const res = await f.cli(['apps:info'], { cwd: cwd() });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^=== shop\n/);
  });

  it('running it again repoints the remote and keeps a single helper', async () => {
    const res = await f.cli(['git:remote', '-a', 'blog'], { cwd: cwd() });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(execFileSync('git', ['remote', 'get-url', 'paas'], { cwd: cwd() }).toString().trim(), `${f.url}/blog.git`);
    const helpers = execFileSync('git', ['config', '--local', '--get-all', `credential.${origin()}.helper`], { cwd: cwd() })
      .toString()
      .split('\n');
    assert.equal(helpers.length, 3, 'an empty reset, then one helper');
    assert.equal(helpers[0], '');
  });

  it('-r names another remote; without PAAS_HOME set the helper has no PAAS_HOME', async () => {
    const res = await f.cli(['git:remote', '-a', 'shop', '-r', 'staging'], {
      cwd: cwd(),
      env: { PAAS_HOME: '', PAAS_API_URL: f.url, PAAS_API_TOKEN: f.token },
    });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, `set git remote staging to ${f.url}/shop.git\n`);
    const helper = execFileSync('git', ['config', '--local', '--get-all', `credential.${origin()}.helper`], { cwd: cwd() })
      .toString()
      .trim()
      .split('\n')
      .at(-1);
    assert.ok(helper?.startsWith(`!'${process.execPath}'`), helper);
  });

  it('refuses outside a git repository, and for unknown apps', async () => {
    const outside = await f.cli(['git:remote', '-a', 'shop'], { cwd: gitHome });
    assert.equal(outside.code, 1);
    assert.match(outside.stderr, /^paas: not inside a git repository/);
    const unknown = await f.cli(['git:remote', '-a', 'nope'], { cwd: cwd() });
    assert.deepEqual(unknown, { code: 1, stdout: '', stderr: "paas: Couldn't find that app: nope\n" });
  });
});

describe('git:credential', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(() => f.close());

  it('answers get for the API origin only', async () => {
    const { host } = new URL(f.url);
    const get = await f.cli(['git:credential', 'get'], { stdin: `protocol=http\nhost=${host}\n\n` });
    assert.deepEqual(get, { code: 0, stdout: `username=paas\npassword=${f.token}\n`, stderr: '' });
    for (const stdin of [`protocol=https\nhost=${host}\n\n`, 'protocol=http\nhost=127.0.0.1:1\n\n', '\n']) {
      assert.deepEqual(await f.cli(['git:credential', 'get'], { stdin }), { code: 0, stdout: '', stderr: '' }, stdin);
    }
  });

  it('ignores store and erase', async () => {
    const { host } = new URL(f.url);
    for (const op of ['store', 'erase']) {
      const res = await f.cli(['git:credential', op], { stdin: `protocol=http\nhost=${host}\nusername=paas\npassword=x\n\n` });
      assert.deepEqual(res, { code: 0, stdout: '', stderr: '' });
    }
  });

  it('says nothing when not logged in', async () => {
    const { host } = new URL(f.url);
    const res = await f.cli(['git:credential', 'get'], {
      stdin: `protocol=http\nhost=${host}\n\n`,
      env: { PAAS_HOME: join(f.home, 'elsewhere'), PAAS_API_URL: f.url },
    });
    assert.deepEqual(res, { code: 0, stdout: '', stderr: '' });
  });
});

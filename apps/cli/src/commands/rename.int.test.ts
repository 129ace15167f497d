// paas rename / apps:rename against the real controller (API harness): the app gets the new name, and
// the repository's remote follows only when it pointed at the app.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startFixture, type Fixture } from '../test-support/fixture.js';
import { tempDir } from '../test-support/run-cli.js';

describe('paas rename', () => {
  let f: Fixture;
  let repo: { path: string; cleanup: () => Promise<void> };
  const cwd = () => join(repo.path, 'app');
  const remote = (name: string) => execFileSync('git', ['remote', 'get-url', name], { cwd: cwd() }).toString().trim();

  before(async () => {
    f = await startFixture();
    await f.app('shop', { deployed: false });
    await f.app('blog', { deployed: false });
    repo = await tempDir('repo');
    execFileSync('git', ['init', '-q', cwd()]);
  });
  after(async () => {
    await f.close();
    await repo.cleanup();
  });

  it("renames the app of the paas remote and points the remote at the new name; Heroku's reminder on stderr", async () => {
    assert.equal((await f.cli(['git:remote', '-a', 'shop'], { cwd: cwd() })).code, 0);
    const res = await f.cli(['rename', 'market'], { cwd: cwd() });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, `Renaming shop to market... done\nhttp://market.localhost:8080/ | ${f.url}/market.git\nGit remote paas updated\n`);
    assert.equal(res.stderr, "Don't forget to update git remotes for all other local checkouts of the app.\n");
    assert.equal(remote('paas'), `${f.url}/market.git`);
    assert.equal((await f.cli(['info', '--json'], { cwd: cwd() })).code, 0, 'the remote names the renamed app');
  });

  it('apps:rename -a another app leaves the remote alone; a bad or taken name is refused', async () => {
    const res = await f.cli(['apps:rename', 'journal', '-a', 'blog'], { cwd: cwd() });
    assert.equal(res.code, 0, res.stderr);
    assert.ok(!res.stdout.includes('Git remote'), res.stdout);
    assert.equal(remote('paas'), `${f.url}/market.git`);
    const bad = await f.cli(['rename', 'Bad_Name'], { cwd: cwd() });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid app name 'Bad_Name'/);
    const taken = await f.cli(['rename', 'journal'], { cwd: cwd() });
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /Name journal is already taken/);
    assert.equal(remote('paas'), `${f.url}/market.git`);
  });
});

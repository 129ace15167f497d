/**
 * Heroku Node.js apps deploy unchanged, whatever their package manager: an npm app with an open
 * engines range (">=18": limited to the LTS line, as Heroku does, and it boots), a Yarn 1 app (dev
 * dependencies pruned) and a pnpm workspace (its own package linked, the build script run), each by
 * `git push` through the real platform, served by the router. A second push of the npm app restores
 * the cache and still runs the install.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { commitAll, gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';

describe('Node.js apps with npm, Yarn and pnpm deploy by git push', { timeout: 900_000 }, () => {
  let p: Platform;
  let work: string;

  before(async () => {
    p = await startPlatform();
    work = await mkdtemp(join(tmpdir(), 'paas-e2e-pm-'));
  });
  after(async () => {
    if (process.exitCode) console.log(await p?.logs());
    await p?.stop();
    await rm(work, { recursive: true, force: true });
  });

  async function deploy(fixture: string): Promise<{ app: string; dir: string; output: string }> {
    const app = `${fixture.replace(/^node-/, '').slice(0, 12)}-${randomBytes(3).toString('hex')}`;
    const created = await p.paas(['apps:create', app]);
    assert.equal(created.code, 0, created.stderr);
    const dir = join(work, app);
    await cp(join(repoRoot, 'test/fixtures', fixture), dir, { recursive: true });
    await gitRepo(dir);
    assert.equal((await p.paas(['git:remote', '-a', app], { cwd: dir })).code, 0);
    const pushed = await gitPush(p, dir);
    assert.equal(pushed.code, 0, `${pushed.output}\n${await p.logs()}`);
    return { app, dir, output: pushed.output };
  }

  test('an npm app with engines.node ">=18" resolves to the LTS line, boots and serves; a warm push runs the install again', async () => {
    const { app, dir, output } = await deploy('node-engines-range');
    assert.match(output, /Resolving node version >=18/);
    assert.match(output, /limited to the Active LTS \(24\.\d+\.\d+\)/);
    assert.match(output, /Released v1/);
    const served = await p.get(app);
    assert.equal(served.status, 200, served.body);
    assert.match(served.body, /npm app on v24\.\d+\.\d+ \(WEB_CONCURRENCY=1\)/);

    const index = join(dir, 'index.js');
    await writeFile(index, (await readFile(index, 'utf8')).replace('npm app', 'npm app v2'));
    await commitAll(dir, 'v2');
    const warm = await gitPush(p, dir);
    assert.equal(warm.code, 0, warm.output);
    assert.match(warm.output, /Installing node modules\s*$/m, 'the install runs on every build');
    assert.match(warm.output, /Released v2/);
    assert.match((await p.get(app)).body, /npm app v2 on v24\./);
  });

  test('a Yarn 1 app installs with yarn from yarn.lock and prunes its dev dependencies', async () => {
    const { app, output } = await deploy('node-yarn-app');
    assert.match(output, /Using yarn 1\.22\.\d+/);
    assert.match(output, /Installing node modules \(yarn\.lock\)/);
    const served = await p.get(app);
    assert.equal(served.status, 200, served.body);
    assert.equal(served.body, 'yarn app: 1m (left-pad pruned: true)\n');
  });

  test('a pnpm workspace installs with the packageManager pnpm, links its own package and runs its build', async () => {
    const { app, output } = await deploy('node-pnpm-workspace');
    assert.match(output, /Using pnpm 9\.15\.9/);
    assert.match(output, /Running build/);
    const served = await p.get(app);
    assert.equal(served.status, 200, served.body);
    assert.equal(served.body, 'pnpm from workspace lib ok');
  });
});

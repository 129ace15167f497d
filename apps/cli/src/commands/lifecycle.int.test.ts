import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { findAppByName } from '../../../controller/src/db/apps.js';
import { getFormation } from '../../../controller/src/db/formation.js';
import { startFixture, type Fixture } from '../test-support/fixture.js';
import { tempDir } from '../test-support/run-cli.js';

describe("Heroku's habits against the real controller: aliases, -r, PAAS_APP, relative scale, maintenance, releases:output, cron", () => {
  let f: Fixture;
  let dir: { path: string; cleanup: () => Promise<void> };
  const repo = () => join(dir.path, 'repo');
  const last = () => f.requests.at(-1);

  before(async () => {
    f = await startFixture();
    dir = await tempDir('habits');
    execFileSync('git', ['init', '-q', repo()]);
  });
  after(async () => {
    await f.close();
    await dir.cleanup();
  });

  it('create adds the paas remote inside a git repository; info and destroy are apps:info and apps:destroy', async () => {
    const res = await f.cli(['create', 'shop'], { cwd: repo() });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, `Creating shop... done\nhttp://shop.localhost:8080/ | ${f.url}/shop.git\nset git remote paas to ${f.url}/shop.git\n`);
    assert.equal(execFileSync('git', ['remote', 'get-url', 'paas'], { cwd: repo() }).toString().trim(), `${f.url}/shop.git`);
    const info = await f.cli(['info'], { cwd: repo() });
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /^=== shop\n/);
    assert.match(info.stdout, /Maintenance: off/);
    const outside = await f.cli(['create', 'blog']);
    assert.equal(outside.stdout, `Creating blog... done\nhttp://blog.localhost:8080/ | ${f.url}/blog.git\n`, 'no repository: no remote');
    const staging = await f.cli(['create', 'shop-staging', '--remote', 'staging'], { cwd: repo() });
    assert.match(staging.stdout, /set git remote staging to .*shop-staging\.git/);
    const none = await f.cli(['create', 'shop-qa', '--no-remote'], { cwd: repo() });
    assert.doesNotMatch(none.stdout, /set git remote/);
    const gone = await f.cli(['destroy', 'shop-qa', '--confirm', 'shop-qa']);
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal(await findAppByName(f.h.db.pool, 'shop-qa'), undefined);
  });

  it('-r REMOTE takes the app from that remote; PAAS_APP when neither -a nor -r is given', async () => {
    assert.match((await f.cli(['info', '-r', 'staging'], { cwd: repo() })).stdout, /^=== shop-staging\n/);
    const byRemoteEq = await f.cli(['config', '--remote=staging'], { cwd: repo() });
    assert.equal(byRemoteEq.code, 0, byRemoteEq.stderr);
    assert.equal(last()?.path, '/apps/shop-staging/config-vars');
    assert.match((await f.cli(['info'], { env: { PAAS_APP: 'blog' } })).stdout, /^=== blog\n/);
    assert.match((await f.cli(['info', '-r', 'paas'], { cwd: repo(), env: { PAAS_APP: 'blog' } })).stdout, /^=== shop\n/, '-r wins over PAAS_APP');
    assert.match((await f.cli(['info', '-a', 'blog', '-r', 'staging'], { cwd: repo() })).stdout, /^=== blog\n/, '-a wins');
    const missing = await f.cli(['info', '-r', 'prod'], { cwd: repo() });
    assert.deepEqual([missing.code, missing.stderr], [1, 'paas: there is no git remote named prod here (see git remote -v)\n']);
    assert.match((await f.cli(['info', '-r'])).stderr, /-r needs a git remote name/);
    assert.match((await f.cli(['info'])).stderr, /no app specified; use -a APP, -r REMOTE, PAAS_APP/);
  });

  it('scale web+1 and worker-1 are relative to the formation; ps:scale is scale; below 0 is refused', async () => {
    const app = await f.app('scaly');
    const up = await f.cli(['scale', 'web+1', 'worker+2', '-a', 'scaly']);
    assert.equal(up.code, 0, up.stderr);
    const quantities = async () => Object.fromEntries((await getFormation(f.h.db.pool, app.id)).map((x) => [x.type, x.quantity]));
    assert.deepEqual(await quantities(), { web: 2, worker: 2 });
    assert.equal((await f.cli(['ps:scale', 'worker-1', '-a', 'scaly'])).code, 0);
    assert.deepEqual(await quantities(), { web: 2, worker: 1 });
    const below = await f.cli(['scale', 'worker-2', '-a', 'scaly']);
    assert.deepEqual([below.code, below.stderr], [1, 'paas: cannot scale worker to -1: it runs 1\n']);
    assert.deepEqual(await quantities(), { web: 2, worker: 1 });
  });

  it('restart is ps:restart, releases:rollback is rollback', async () => {
    await f.app('rolly');
    await f.release('rolly', { description: 'Deploy 2' });
    const restart = await f.cli(['restart', '-a', 'rolly']);
    assert.equal(restart.code, 0, restart.stderr);
    assert.match(restart.stdout, /^Restarting all processes on rolly\.\.\. done/);
    const rollback = await f.cli(['releases:rollback', 'v1', '-a', 'rolly']);
    assert.equal(rollback.code, 0, rollback.stderr);
    assert.match((await f.cli(['releases', '-a', 'rolly'])).stdout, /v3\s+Rollback to v1/);
  });

  it('open starts $BROWSER on the web URL with the path', async () => {
    const browser = join(dir.path, 'browser.sh');
    const seen = join(dir.path, 'seen.txt');
    await writeFile(browser, `#!/bin/sh\nprintf '%s' "$1" > '${seen}'\n`);
    await chmod(browser, 0o755);
    const res = await f.cli(['open', '/admin', '-a', 'shop'], { env: { BROWSER: browser } });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, 'Opening http://shop.localhost:8080/admin\n');
    for (let i = 0; i < 100 && !(await readFile(seen, 'utf8').catch(() => '')); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await readFile(seen, 'utf8'), 'http://shop.localhost:8080/admin');
  });

  it('maintenance:on, maintenance, maintenance:off', async () => {
    await f.app('mainty');
    const on = await f.cli(['maintenance:on', '-a', 'mainty']);
    assert.equal(on.stdout, 'Enabling maintenance mode for mainty... done\n', on.stderr);
    assert.deepEqual((await f.h.routes.get('mainty'))?.maintenance, {});
    assert.equal((await f.cli(['maintenance', '-a', 'mainty'])).stdout, 'on\n');
    assert.match((await f.cli(['info', '-a', 'mainty'])).stdout, /Maintenance: on/);
    assert.equal((await f.cli(['maintenance:off', '-a', 'mainty'])).stdout, 'Disabling maintenance mode for mainty... done\n');
    assert.equal((await f.cli(['maintenance', '-a', 'mainty'])).stdout, 'off\n');
    assert.equal((await f.h.routes.get('mainty'))?.maintenance, undefined);
  });

  it("releases:output prints a release's kept output, the current one by default", async () => {
    await f.app('outy');
    await f.release('outy', { description: 'Deploy 2', processTypes: { web: 'npm start', release: 'node migrate.js' } });
    const res = await f.cli(['releases:output', '-a', 'outy']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^-----> Release phase: running node migrate\.js\n/);
    assert.match(res.stdout, /^node migrate\.js$/m, 'the one-off output (the in-memory runtime prints the command)');
    assert.match(res.stdout, /Release phase done\n$/);
    assert.equal((await f.cli(['releases:output', 'v1', '-a', 'outy'])).stdout, 'v1 ran no release phase or postdeploy script\n');
    const missing = await f.cli(['releases:output', 'v99', '-a', 'outy']);
    assert.deepEqual([missing.code, missing.stderr], [1, 'paas: outy has no release v99\n']);
  });

  it('cron lists the entries with their next runs', async () => {
    const app = await f.app('crony');
    assert.match((await f.cli(['cron', '-a', 'crony'])).stdout, /crony has no cron entries/);
    const appJson = { cron: [{ command: 'node sweep.js', schedule: '*/5 * * * *' }, { command: 'node nightly.js', schedule: '@daily' }] };
    await f.h.releases.release(app, { image: 'img:2', processTypes: { web: 'npm start' }, buildId: null, description: 'Deploy 2', userId: f.user.id, appJson });
    const res = await f.cli(['cron', '-a', 'crony']);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.split('\n');
    assert.equal(lines[0], '=== crony cron');
    assert.match(lines[1]!, /^[0-9a-f]{12}\s+\*\/5 \* \* \* \*\s+node sweep\.js\s+next \d{4}-\d\d-\d\dT\d\d:\d[05]:00\.000Z\s+never ran$/);
    assert.match(lines[2]!, /^[0-9a-f]{12}\s+@daily\s+node nightly\.js\s+next \d{4}-\d\d-\d\dT00:00:00\.000Z\s+never ran$/);
    assert.equal(JSON.parse((await f.cli(['cron', '--json', '-a', 'crony'])).stdout).length, 2);
  });

  it('a Heroku name paas spells differently points at the paas name', async () => {
    const res = await f.cli(['ps:kill', 'web.1']);
    assert.equal(res.code, 1);
    assert.equal(res.stderr, "paas: 'ps:kill' is not a paas command.\nHeroku's ps:kill is paas ps:stop here.\nRun paas help for a list of commands.\n");
    assert.match((await f.cli(['auth:whoami'])).stderr, /Heroku's auth:whoami is paas whoami here/);
    assert.match((await f.cli(['dyno:resize'])).stderr, /Heroku's dyno:resize is paas limits:set here/);
  });
});

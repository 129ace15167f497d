import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { email, startFixture, type Fixture } from '../test-support/fixture.js';
import { tempDir } from '../test-support/run-cli.js';

describe("Heroku's habits: aliases, -r, PAAS_APP, relative scale, maintenance, releases:output", () => {
  let f: Fixture;
  let dir: { path: string; cleanup: () => Promise<void> };
  const repo = () => join(dir.path, 'repo');
  const gitEnv = () => ({ HOME: join(dir.path, 'home'), GIT_CONFIG_NOSYSTEM: '1' });
  const last = () => f.api.requests.at(-1);

  before(async () => {
    f = await startFixture();
    dir = await tempDir('habits');
    execFileSync('mkdir', ['-p', join(dir.path, 'home')]);
    execFileSync('git', ['init', '-q', repo()]);
  });
  after(async () => {
    await f.close();
    await dir.cleanup();
  });

  it('create adds the paas remote inside a git repository; info, destroy are apps:info, apps:destroy', async () => {
    const res = await f.cli(['create', 'shop'], { cwd: repo() });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, `Creating shop... done\nhttp://shop.localhost:8080 | ${f.api.url}/shop.git\nset git remote paas to ${f.api.url}/shop.git\n`);
    assert.equal(execFileSync('git', ['remote', 'get-url', 'paas'], { cwd: repo(), env: { ...process.env, ...gitEnv() } }).toString().trim(), `${f.api.url}/shop.git`);
    const info = await f.cli(['info'], { cwd: repo() });
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /^=== shop\n/);
    assert.match(info.stdout, /Maintenance: off/);
    const outside = await f.cli(['create', 'blog']);
    assert.equal(outside.stdout, `Creating blog... done\nhttp://blog.localhost:8080 | ${f.api.url}/blog.git\n`, 'no repository: no remote');
    const staging = await f.cli(['create', 'shop-staging', '--remote', 'staging'], { cwd: repo() });
    assert.match(staging.stdout, /set git remote staging to .*shop-staging\.git/);
    const none = await f.cli(['create', 'shop-qa', '--no-remote'], { cwd: repo() });
    assert.doesNotMatch(none.stdout, /set git remote/);
    const gone = await f.cli(['destroy', 'shop-qa', '--confirm', 'shop-qa']);
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal(f.api.apps.has('shop-qa'), false);
  });

  it('-r REMOTE takes the app from that remote; PAAS_APP when neither -a nor -r is given', async () => {
    const byRemote = await f.cli(['info', '-r', 'staging'], { cwd: repo() });
    assert.match(byRemote.stdout, /^=== shop-staging\n/, byRemote.stderr);
    const byRemoteEq = await f.cli(['config', '--remote=staging'], { cwd: repo() });
    assert.equal(byRemoteEq.code, 0, byRemoteEq.stderr);
    assert.equal(last()?.path, '/apps/shop-staging/config-vars');
    const byEnv = await f.cli(['info'], { env: { PAAS_APP: 'blog' } });
    assert.match(byEnv.stdout, /^=== blog\n/);
    const envLosesToRemote = await f.cli(['info', '-r', 'paas'], { cwd: repo(), env: { PAAS_APP: 'blog' } });
    assert.match(envLosesToRemote.stdout, /^=== shop\n/);
    const explicitWins = await f.cli(['info', '-a', 'blog', '-r', 'staging'], { cwd: repo() });
    assert.match(explicitWins.stdout, /^=== blog\n/);
    const missing = await f.cli(['info', '-r', 'prod'], { cwd: repo() });
    assert.deepEqual([missing.code, missing.stderr], [1, 'paas: there is no git remote named prod here (see git remote -v)\n']);
    const empty = await f.cli(['info', '-r']);
    assert.match(empty.stderr, /-r needs a git remote name/);
    const none = await f.cli(['info']);
    assert.match(none.stderr, /no app specified; use -a APP, -r REMOTE, PAAS_APP/);
  });

  it('scale web+1 and web-1 are relative to the formation; ps:scale is scale; below 0 is refused', async () => {
    const app = f.api.apps.get('shop')!;
    app.formation = [
      { type: 'web', quantity: 2, command: 'npm start' },
      { type: 'worker', quantity: 1, command: 'node w.js' },
    ];
    const up = await f.cli(['scale', 'web+1', 'worker-1', '-a', 'shop']);
    assert.equal(up.code, 0, up.stderr);
    assert.deepEqual(last()?.body, { updates: [{ type: 'web', quantity: 3 }, { type: 'worker', quantity: 0 }] });
    const alias = await f.cli(['ps:scale', 'web=1', '-a', 'shop']);
    assert.equal(alias.code, 0, alias.stderr);
    assert.deepEqual(last()?.body, { updates: [{ type: 'web', quantity: 1 }] });
    const count = f.api.requests.length;
    const below = await f.cli(['scale', 'worker-1', '-a', 'shop']);
    assert.deepEqual([below.code, below.stderr], [1, 'paas: cannot scale worker to -1: it runs 0\n']);
    assert.equal(f.api.requests.at(-1)?.method, 'GET', 'nothing was scaled');
    assert.ok(f.api.requests.length > count);
  });

  it('restart is ps:restart, releases:rollback is rollback', async () => {
    const app = f.api.apps.get('shop')!;
    f.api.addRelease(app, 'Deploy 1', email);
    f.api.addRelease(app, 'Deploy 2', email);
    await f.cli(['run:detached', '-a', 'shop', '--', 'sleep', '1']); // a process to restart
    const restart = await f.cli(['restart', '-a', 'shop']);
    assert.equal(restart.code, 0, restart.stderr + restart.stdout);
    assert.deepEqual([last()?.method, last()?.path], ['DELETE', '/apps/shop/dynos']);
    const rollback = await f.cli(['releases:rollback', 'v1', '-a', 'shop']);
    assert.equal(rollback.code, 0, rollback.stderr + rollback.stdout);
    assert.deepEqual([last()?.method, last()?.path, last()?.body], ['POST', '/apps/shop/releases', { release: 'v1' }]);
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
    const on = await f.cli(['maintenance:on', '-a', 'shop']);
    assert.equal(on.stdout, 'Enabling maintenance mode for shop... done\n');
    assert.deepEqual([last()?.method, last()?.path, last()?.body], ['PATCH', '/apps/shop', { maintenance: true }]);
    assert.equal((await f.cli(['maintenance', '-a', 'shop'])).stdout, 'on\n');
    assert.match((await f.cli(['info', '-a', 'shop'])).stdout, /Maintenance: on/);
    assert.equal((await f.cli(['maintenance:off', '-a', 'shop'])).stdout, 'Disabling maintenance mode for shop... done\n');
    assert.equal((await f.cli(['maintenance', '-a', 'shop'])).stdout, 'off\n');
  });

  it("releases:output prints a release's kept output, the current one by default", async () => {
    const app = f.api.apps.get('shop')!;
    f.api.lifecycle.outputs.set(`shop/${app.current_release}`, '-----> Release phase: running node migrate.js\nmigrated\n');
    const res = await f.cli(['releases:output', '-a', 'shop']);
    assert.equal(res.stdout, '-----> Release phase: running node migrate.js\nmigrated\n');
    const none = await f.cli(['releases:output', 'v1', '-a', 'shop']);
    assert.equal(none.stdout, 'v1 ran no release phase or postdeploy script\n');
    const missing = await f.cli(['releases:output', 'v99', '-a', 'shop']);
    assert.deepEqual([missing.code, missing.stderr], [1, 'paas: shop has no release v99\n']);
  });

  it('cron lists the entries with their next and last runs', async () => {
    assert.match((await f.cli(['cron', '-a', 'shop'])).stdout, /shop has no cron entries/);
    f.api.lifecycle.cron.set('shop', [
      { id: 'a1b2c3d4e5f6', command: 'node sweep.js', schedule: '*/5 * * * *', next_run_at: '2026-12-07T10:10:00.000Z', last_run: { tick: '2026-12-07T10:05:00.000Z', exit_code: 0, error: null, finished_at: '2026-12-07T10:05:03.000Z' } },
      { id: '0f0f0f0f0f0f', command: 'node nightly.js', schedule: '@daily', next_run_at: '2026-12-08T00:00:00.000Z', last_run: null },
    ]);
    const res = await f.cli(['cron', '-a', 'shop']);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.split('\n');
    assert.equal(lines[0], '=== shop cron');
    assert.match(lines[1]!, /^a1b2c3d4e5f6\s+\*\/5 \* \* \* \*\s+node sweep\.js\s+next 2026-12-07T10:10:00\.000Z\s+last 2026-12-07T10:05:00\.000Z exit 0$/);
    assert.match(lines[2]!, /^0f0f0f0f0f0f\s+@daily\s+node nightly\.js\s+next 2026-12-08T00:00:00\.000Z\s+never ran$/);
    assert.equal(JSON.parse((await f.cli(['cron', '--json', '-a', 'shop'])).stdout).length, 2);
  });

  it("a Heroku name paas spells differently points at the paas name", async () => {
    const res = await f.cli(['ps:kill', 'web.1']);
    assert.equal(res.code, 1);
    assert.equal(res.stderr, "paas: 'ps:kill' is not a paas command.\nHeroku's ps:kill is paas ps:stop here.\nRun paas help for a list of commands.\n");
    assert.match((await f.cli(['auth:whoami'])).stderr, /Heroku's auth:whoami is paas whoami here/);
    assert.match((await f.cli(['dyno:resize'])).stderr, /Heroku's dyno:resize is paas limits:set here/);
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findAppByName } from '../../../controller/src/db/apps.js';
import { addCollaborator } from '../../../controller/src/db/collaborators.js';
import { email, startFixture, type Fixture } from '../test-support/fixture.js';

describe('apps commands', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(() => f.close());

  it('apps says when there are none', async () => {
    const res = await f.cli(['apps']);
    assert.equal(res.code, 0);
    assert.match(res.stdout, /no apps/);
  });

  it('apps:create prints the progress line, then the web and git URLs', async () => {
    const res = await f.cli(['apps:create', 'shop']);
    assert.equal(res.stderr, '');
    assert.equal(res.code, 0);
    assert.equal(res.stdout, `Creating shop... done\nhttp://shop.localhost:8080/ | ${f.url}/shop.git\n`);
    assert.deepEqual([f.requests.at(-1)?.method, f.requests.at(-1)?.path], ['POST', '/apps']);
    assert.ok(await findAppByName(f.h.db.pool, 'shop'));
  });

  it('apps:create reports a taken name from the API, and refuses a bad name before calling it', async () => {
    const taken = await f.cli(['apps:create', 'shop']);
    assert.equal(taken.code, 1);
    assert.equal(taken.stdout, 'Creating shop... !\n');
    assert.equal(taken.stderr, 'paas: Name shop is already taken\n');

    const count = f.requests.length;
    const bad = await f.cli(['apps:create', 'Bad_Name']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^paas: invalid app name 'Bad_Name': an app name must start with a lowercase letter/);
    assert.equal(f.requests.length, count);
  });

  it('apps lists names, and --json the API objects', async () => {
    const someone = await f.otherUser('someone@else.com');
    await f.app('blog', { owner: someone.user, deployed: false });
    await addCollaborator(f.h.db.pool, (await findAppByName(f.h.db.pool, 'blog'))!.id, f.user.id);
    const res = await f.cli(['apps']);
    assert.equal(res.stdout, '=== Apps\nblog  (someone@else.com)\nshop\n');
    const json = JSON.parse((await f.cli(['apps', '--json'])).stdout) as { name: string; owner: { email: string } }[];
    assert.deepEqual(
      json.map((a) => [a.name, a.owner.email]),
      [
        ['blog', 'someone@else.com'],
        ['shop', email],
      ],
    );
  });

  it('apps:info shows the URLs, owner, release and formation', async () => {
    const app = (await findAppByName(f.h.db.pool, 'shop'))!;
    await f.h.releases.release(app, { image: 'img:1', processTypes: { web: 'npm start', worker: 'node worker.js' }, buildId: null, description: 'Deploy 3f2c1a0', userId: f.user.id });
    await f.h.db.pool.query("UPDATE formation SET quantity = 2 WHERE app_id = $1 AND type = 'web'", [app.id]);
    const res = await f.cli(['apps:info', '-a', 'shop']);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.split('\n');
    assert.equal(lines[0], '=== shop');
    assert.ok(lines.includes(`Git URL:     ${f.url}/shop.git`), res.stdout);
    assert.ok(lines.includes('Web URL:     http://shop.localhost:8080/'), res.stdout);
    assert.ok(lines.includes(`Owner:       ${email}`), res.stdout);
    assert.ok(lines.includes('Release:     v1'), res.stdout);
    assert.ok(lines.includes('Processes:   web: 2'), res.stdout);
    assert.ok(lines.includes('Maintenance: off'), res.stdout);
    assert.ok(lines.includes('Stack:       trixie'), res.stdout);
    const json = JSON.parse((await f.cli(['apps:info', '--app', 'shop', '--json'])).stdout) as { formation: unknown[] };
    assert.deepEqual(json.formation, [{ type: 'web', quantity: 2, command: 'npm start' }]);
  });

  it('apps:info on an unknown app prints the API error without a stack', async () => {
    const res = await f.cli(['apps:info', '-a', 'nope']);
    assert.deepEqual(res, { code: 1, stdout: '', stderr: "paas: Couldn't find that app: nope\n" });
  });

  it('apps:destroy refuses without a matching --confirm, explaining', async () => {
    const none = await f.cli(['apps:destroy', 'shop']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^paas: this permanently destroys shop/);
    assert.match(none.stderr, /paas apps:destroy shop --confirm shop/);
    const wrong = await f.cli(['apps:destroy', 'shop', '--confirm', 'blog']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /does not match/);
    assert.ok(await findAppByName(f.h.db.pool, 'shop'));
    assert.ok(!f.requests.some((r) => r.method === 'DELETE'));
  });

  it('apps:destroy NAME --confirm NAME destroys it; a collaborator may not', async () => {
    const res = await f.cli(['apps:destroy', 'shop', '--confirm', 'shop']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^Destroying shop .*\.\.\. done\n$/);
    assert.equal(await findAppByName(f.h.db.pool, 'shop'), undefined);
    const refused = await f.cli(['apps:destroy', 'blog', '--confirm', 'blog']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, 'paas: only the owner of blog or an admin may do this\n');
    assert.ok(await findAppByName(f.h.db.pool, 'blog'));
  });
});

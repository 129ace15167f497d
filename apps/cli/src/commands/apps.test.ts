import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
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
    assert.equal(res.stdout, `Creating shop... done\nhttp://shop.localhost:8080 | ${f.api.url}/shop.git\n`);
    assert.deepEqual(f.api.requests.at(-1)?.body, { name: 'shop' });
  });

  it('apps:create reports a taken name from the API, and refuses a bad name before calling it', async () => {
    const taken = await f.cli(['apps:create', 'shop']);
    assert.equal(taken.code, 1);
    assert.equal(taken.stdout, 'Creating shop... !\n');
    assert.equal(taken.stderr, 'paas: the name shop is taken\n');

    const count = f.api.requests.length;
    const bad = await f.cli(['apps:create', 'Bad_Name']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^paas: invalid app name 'Bad_Name': an app name must start with a lowercase letter/);
    assert.equal(f.api.requests.length, count);
  });

  it('apps lists names, and --json the API objects', async () => {
    f.api.addApp('blog', 'someone@else.com');
    const res = await f.cli(['apps']);
    assert.equal(res.stdout, '=== Apps\nblog  (someone@else.com)\nshop\n');
    const json = JSON.parse((await f.cli(['apps', '--json'])).stdout) as { name: string; owner: { email: string } }[];
    assert.deepEqual(
      json.map((a) => [a.name, a.owner.email]),
      [
        ['shop', email],
        ['blog', 'someone@else.com'],
      ],
    );
  });

  it('apps:info shows the URLs, owner, release and formation', async () => {
    const app = f.api.apps.get('shop');
    assert.ok(app);
    app.formation = [
      { type: 'web', quantity: 2, command: 'npm start' },
      { type: 'worker', quantity: 0, command: 'node worker.js' },
    ];
    f.api.addRelease(app, 'Deploy 3f2c1a0', email);
    const res = await f.cli(['apps:info', '-a', 'shop']);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.split('\n');
    assert.equal(lines[0], '=== shop');
    assert.ok(lines.includes(`Git URL:   ${f.api.url}/shop.git`), res.stdout);
    assert.ok(lines.includes('Web URL:   http://shop.localhost:8080'), res.stdout);
    assert.ok(lines.includes(`Owner:     ${email}`), res.stdout);
    assert.ok(lines.includes('Release:   v1'), res.stdout);
    assert.ok(lines.includes('Processes: web: 2, worker: 0'), res.stdout);
    const json = JSON.parse((await f.cli(['apps:info', '--app', 'shop', '--json'])).stdout) as { formation: unknown[] };
    assert.equal(json.formation.length, 2);
  });

  it('apps:info on an unknown app prints the API error without a stack', async () => {
    const res = await f.cli(['apps:info', '-a', 'nope']);
    assert.deepEqual(res, { code: 1, stdout: '', stderr: 'paas: app nope not found\n' });
  });

  it('apps:destroy refuses without a matching --confirm, explaining', async () => {
    const none = await f.cli(['apps:destroy', 'blog']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^paas: this permanently destroys blog/);
    assert.match(none.stderr, /paas apps:destroy blog --confirm blog/);
    const wrong = await f.cli(['apps:destroy', 'blog', '--confirm', 'shop']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /does not match/);
    assert.ok(f.api.apps.has('blog'));
    assert.ok(!f.api.requests.some((r) => r.method === 'DELETE'));
  });

  it('apps:destroy NAME --confirm NAME destroys it', async () => {
    const res = await f.cli(['apps:destroy', 'blog', '--confirm', 'blog']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^Destroying blog .*\.\.\. done\n$/);
    assert.ok(!f.api.apps.has('blog'));
  });
});

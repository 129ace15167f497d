import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, type Fixture } from '../test-support/fixture.js';

describe('config commands', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
    await f.app('shop');
  });
  after(() => f.close());

  it('config says when there are no vars', async () => {
    assert.deepEqual(await f.cli(['config', '-a', 'shop']), { code: 0, stdout: 'shop has no config vars.\n', stderr: '' });
  });

  it('config:set PATCHes the vars and reports the new release', async () => {
    const res = await f.cli(['config:set', 'NODE_ENV=production', 'DATABASE_URL=postgres://u:p@db/x?a=b', '-a', 'shop']);
    assert.equal(res.stderr, '');
    assert.equal(res.code, 0);
    const [first, ...rest] = res.stdout.split('\n');
    assert.equal(first, 'Setting NODE_ENV, DATABASE_URL and restarting shop... done, v2');
    assert.deepEqual(rest, ['NODE_ENV:     production', 'DATABASE_URL: postgres://u:p@db/x?a=b', '']);
    assert.deepEqual(f.requests.slice(-2), [
      { method: 'PATCH', path: '/apps/shop/config-vars', authorization: `Bearer ${f.token}` },
      { method: 'GET', path: '/apps/shop/releases', authorization: `Bearer ${f.token}` },
    ]);
  });

  it('config lists the vars aligned, sorted, and --json as an object', async () => {
    const res = await f.cli(['config', '-a', 'shop']);
    assert.equal(res.stdout, '=== shop Config Vars\nDATABASE_URL: postgres://u:p@db/x?a=b\nNODE_ENV:     production\n');
    assert.deepEqual(JSON.parse((await f.cli(['config', '-a', 'shop', '--json'])).stdout), {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://u:p@db/x?a=b',
    });
    assert.equal((await f.cli(['config:get', 'NODE_ENV', '-a', 'shop'])).stdout, 'production\n');
  });

  it('config:set refuses a malformed pair without calling the API', async () => {
    const count = f.requests.length;
    const res = await f.cli(['config:set', 'GOOD=1', '2BAD=x', '-a', 'shop']);
    assert.equal(res.code, 1);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /^paas: invalid config var in '2BAD=x'/);
    const noEquals = await f.cli(['config:set', 'FOO', '-a', 'shop']);
    assert.match(noEquals.stderr, /^paas: 'FOO' is not KEY=VALUE/);
    assert.equal(f.requests.length, count);
  });

  it('config:unset sends nulls and reports the new release', async () => {
    const res = await f.cli(['config:unset', 'NODE_ENV', '-a', 'shop']);
    assert.equal(res.stdout, 'Unsetting NODE_ENV and restarting shop... done, v3\n');
    assert.deepEqual(JSON.parse((await f.cli(['config', '-a', 'shop', '--json'])).stdout), { DATABASE_URL: 'postgres://u:p@db/x?a=b' });
  });

  it('needs an app: -a or the git remote', async () => {
    const res = await f.cli(['config'], { cwd: f.home });
    assert.deepEqual(res, {
      code: 1,
      stdout: '',
      stderr: 'paas: no app specified; use -a APP, -r REMOTE, PAAS_APP or run paas git:remote -a APP\n',
    });
  });
});

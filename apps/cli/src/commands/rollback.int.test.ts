import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { email, startFixture, type Fixture } from '../test-support/fixture.js';

describe('releases:info and rollback', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  let f: Fixture;
  before(async () => {
    f = await startFixture();
    await f.app('shop', { deployed: false });
    assert.equal((await f.cli(['config:set', 'A=1', '-a', 'shop'])).code, 0);
    await f.release('shop', { description: 'Deploy 1111111', at: new Date(now.getTime() - 3_600_000) });
    assert.equal((await f.cli(['config:set', 'B=2', '-a', 'shop'])).code, 0); // v2, "Set B config vars"
    await f.h.db.pool.query("UPDATE releases SET created_at = $1 WHERE version = 2", [new Date(now.getTime() - 120_000)]);
    await f.release('shop', { description: 'Deploy 2222222', at: new Date(now.getTime() - 60_000), status: 'failed' });
  });
  after(() => f.close());

  it('releases:info shows a release and its config vars', async () => {
    const res = await f.cli(['releases:info', 'v1', '-a', 'shop'], { now });
    assert.equal(res.stderr, '');
    assert.deepEqual(res.stdout.split('\n'), [
      '=== Release v1',
      `By:        ${email}`,
      'Change:    Deploy 1111111',
      'Current:   no',
      'Status:    succeeded',
      'When:      1h ago',
      'Image:     paas/shop:v1',
      'Processes: web: npm start',
      '',
      '=== v1 Config vars',
      'A: 1',
      '',
    ]);
    assert.match((await f.cli(['releases:info', '-a', 'shop'])).stdout, /^=== Release v2\n/);
    const json = JSON.parse((await f.cli(['releases:info', '2', '-a', 'shop', '--json'])).stdout) as { version: number; config_vars: object };
    assert.deepEqual([json.version, json.config_vars], [2, { A: '1', B: '2' }]);
    assert.equal((await f.cli(['releases:info', 'v9', '-a', 'shop'])).stderr, 'paas: shop has no release v9\n');
    assert.match((await f.cli(['releases:info', 'latest', '-a', 'shop'])).stderr, /'latest' is not a release/);
  });

  it('rollback vN makes a new release; without a version it goes to the one before the current', async () => {
    const res = await f.cli(['rollback', 'v1', '-a', 'shop']);
    assert.deepEqual(res, { code: 0, stdout: 'Rolling back shop to v1... done, v4\n', stderr: '' });
    assert.deepEqual([f.requests.at(-1)?.method, f.requests.at(-1)?.path], ['POST', '/apps/shop/releases']);
    assert.deepEqual(JSON.parse((await f.cli(['config', '-a', 'shop', '--json'])).stdout), { A: '1' });
    const releases = (await f.cli(['releases', '-a', 'shop'], { now })).stdout;
    assert.match(releases, /v4 +Rollback to v1 .*\(current\)/);

    const previous = await f.cli(['rollback', '-a', 'shop']);
    assert.equal(previous.stdout, 'Rolling back shop to v2... done, v5\n');
  });

  it('refuses a release that never succeeded, with the reason', async () => {
    const res = await f.cli(['rollback', 'v3', '-a', 'shop']);
    assert.equal(res.code, 1);
    assert.equal(res.stdout, 'Rolling back shop to v3... !\n');
    assert.equal(res.stderr, 'paas: v3 never ran successfully (it is failed): roll back to a release that did (see paas releases)\n');
  });
});

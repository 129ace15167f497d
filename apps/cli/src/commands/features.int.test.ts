import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, type Fixture } from '../test-support/fixture.js';

describe('regions and features', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
    await f.app('shop');
  });
  after(() => f.close());

  it('regions lists the cluster', async () => {
    const res = await f.cli(['regions']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^NAME +DESCRIPTION\ntest-region +the test cluster\n$/);
  });

  it('features shows the switches; enable and disable change them; an unknown one is refused', async () => {
    assert.match((await f.cli(['features', '-a', 'shop'])).stdout, /^=== shop features\n\[ \] +https-redirect +/);
    assert.equal((await f.cli(['features:enable', 'https-redirect', '-a', 'shop'])).stdout, 'Enabled https-redirect for shop\n');
    assert.equal(JSON.parse((await f.cli(['features', '-a', 'shop', '--json'])).stdout)[0].enabled, true);
    assert.match((await f.cli(['router', '-a', 'shop'])).stdout, /on/);
    assert.equal((await f.cli(['features:disable', 'https-redirect', '-a', 'shop'])).code, 0);
    const unknown = await f.cli(['features:enable', 'warp-drive', '-a', 'shop']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /no feature warp-drive/);
  });
});

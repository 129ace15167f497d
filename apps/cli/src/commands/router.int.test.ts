import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, type Fixture } from '../test-support/fixture.js';
import { parseMaxBody, parseOnOff } from './router.js';

describe('router commands', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
    await f.app('shop', { deployed: false });
  });
  after(() => f.close());

  it('router shows the defaults, router:set PATCHes what is given', async () => {
    const shown = await f.cli(['router', '-a', 'shop']);
    assert.equal(shown.stdout, '=== shop Router\nSETTING         VALUE\nhttps-redirect  off\nmax-body-mb     default\n');
    const set = await f.cli(['router:set', '--https-redirect', 'on', '--max-body-mb', '50', '-a', 'shop']);
    assert.equal(set.stderr, '');
    assert.equal(set.stdout, 'Setting HTTPS redirect on and a 50 MB body limit on shop... done\n');
    assert.deepEqual([f.requests.at(-1)?.method, f.requests.at(-1)?.path], ['PATCH', '/apps/shop/router']);
    assert.deepEqual(JSON.parse((await f.cli(['router', '-a', 'shop', '--json'])).stdout), { https_redirect: true, max_body_mb: 50 });
    await f.cli(['router:set', '--max-body-mb', 'default', '-a', 'shop']);
    assert.deepEqual(JSON.parse((await f.cli(['router', '-a', 'shop', '--json'])).stdout), { https_redirect: true, max_body_mb: null });
    assert.match((await f.cli(['router:report', '-a', 'shop'])).stdout, /https-redirect +on\nmax-body-mb +default\n/);
  });

  it('refuses bad values before sending, and shows the API refusing', async () => {
    const sent = f.requests.length;
    for (const [args, message] of [
      [[], /give --https-redirect on\|off, --max-body-mb MB\|default or both/],
      [['--https-redirect', 'maybe'], /--https-redirect must be on or off/],
      [['--max-body-mb', '0'], /--max-body-mb must be a whole number of MB/],
      [['--max-body-mb', '1.5'], /--max-body-mb must be a whole number of MB/],
    ] as [string[], RegExp][]) {
      const res = await f.cli(['router:set', ...args, '-a', 'shop']);
      assert.equal(res.code, 1, args.join(' '));
      assert.match(res.stderr, message);
    }
    assert.equal(f.requests.length, sent);
    const refused = await f.cli(['router:set', '--max-body-mb', '20000', '-a', 'shop']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /max_body_mb: must be at most 10240 MB/);
  });
});

describe('router values', () => {
  it('parse on/off and MB/default', () => {
    assert.equal(parseOnOff('ON'), true);
    assert.equal(parseOnOff('false'), false);
    assert.equal(parseMaxBody('50'), 50);
    assert.equal(parseMaxBody('default'), null);
  });
});

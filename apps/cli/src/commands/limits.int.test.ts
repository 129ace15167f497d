import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, type Fixture } from '../test-support/fixture.js';
import { parseCpus, parseMemory } from './limits.js';

describe('limits', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
    await f.app('shop');
    assert.equal((await f.cli(['scale', 'web=2', '-a', 'shop'])).code, 0);
    assert.equal((await f.cli(['limits:set', 'web', '--memory', '512', '--cpus', '0.5', '-a', 'shop'])).code, 0);
    await f.app('empty', { deployed: false });
  });
  after(() => f.close());

  it('shows the limits per type', async () => {
    const res = await f.cli(['limits', '-a', 'shop']);
    assert.deepEqual(res.stdout.split('\n'), ['=== shop Process Limits', 'TYPE    MEMORY  CPUS', 'web     512 MB  0.5', 'worker  none    none', '']);
    assert.equal(JSON.parse((await f.cli(['limits', '-a', 'shop', '--json'])).stdout).length, 2);
    assert.equal((await f.cli(['limits', '-a', 'empty'])).stdout, 'empty has no process types yet; deploy it first\n');
  });

  it('limits:set PATCHes memory and cpus; none removes a limit', async () => {
    const res = await f.cli(['limits:set', 'worker', '--memory', '256', '--cpus', '1', '-a', 'shop']);
    assert.equal(res.stderr, '');
    assert.equal(res.stdout, 'Setting worker to 256 MB, 1 CPU and restarting its processes on shop... done\n');
    assert.deepEqual([f.requests.at(-1)?.method, f.requests.at(-1)?.path], ['PATCH', '/apps/shop/limits']);
    await f.cli(['limits:set', 'web', '--cpus', 'none', '-a', 'shop']);
    assert.match((await f.cli(['limits', '-a', 'shop'])).stdout, /web +512 MB +none\nworker +256 MB +1\n/);
  });

  it('refuses bad values before sending, and shows the API refusing an unknown type', async () => {
    const sent = f.requests.length;
    for (const [args, message] of [
      [['web'], /give --memory MB, --cpus N or both/],
      [['web', '--memory', '1.5'], /--memory must be a whole number of MB/],
      [['web', '--cpus', '-1'], /--cpus must be a number of cores above 0/],
      [['web', '--cpus', '0'], /--cpus must be a number of cores above 0/],
      [['Web!', '--cpus', '1'], /invalid process type 'Web!'/],
    ] as [string[], RegExp][]) {
      const res = await f.cli(['limits:set', ...args, '-a', 'shop']);
      assert.equal(res.code, 1, args.join(' '));
      assert.match(res.stderr, message);
    }
    assert.equal(f.requests.length, sent);
    const unknown = await f.cli(['limits:set', 'clock', '--memory', '64', '-a', 'shop']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, 'paas: type: no clock process type in v1 (its types: web, worker)\n');
  });
});

describe('limit values', () => {
  it('parse numbers and none', () => {
    assert.equal(parseMemory('512'), 512);
    assert.equal(parseMemory('none'), null);
    assert.equal(parseCpus('.5'), 0.5);
    assert.equal(parseCpus('2'), 2);
    assert.equal(parseCpus('none'), null);
  });
});

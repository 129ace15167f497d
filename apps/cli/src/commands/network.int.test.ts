import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, type Fixture } from '../test-support/fixture.js';

describe('network commands', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
    await f.app('api', { deployed: false });
    await f.app('billing', { deployed: false });
  });
  after(() => f.close());

  it('network lists nobody at first, network:allow and network:deny change the list', async () => {
    assert.equal((await f.cli(['network', '-a', 'api'])).stdout, '=== Apps allowed to reach api\nnone (allow one with: paas network:allow SOURCE -a api)\n');
    const allowed = await f.cli(['network:allow', 'billing', '-a', 'api']);
    assert.equal(allowed.stderr, '');
    assert.equal(allowed.stdout, 'Allowing billing to reach api... done\n');
    assert.deepEqual([f.requests.at(-1)?.method, f.requests.at(-1)?.path], ['PUT', '/apps/api/internal-access/billing']);
    const listed = JSON.parse((await f.cli(['network', '-a', 'api', '--json'])).stdout) as { source: string }[];
    assert.deepEqual(listed.map((r) => r.source), ['billing']);
    assert.match((await f.cli(['network', '-a', 'api'])).stdout, /^SOURCE +ALLOWED BY +SINCE\nbilling /m);
    const denied = await f.cli(['network:deny', 'billing', '-a', 'api']);
    assert.equal(denied.stdout, 'Denying billing access to api... done\n');
    assert.deepEqual(JSON.parse((await f.cli(['network', '-a', 'api', '--json'])).stdout), []);
  });

  it('shows the API refusing an unknown source and a deny of what was not allowed', async () => {
    const unknown = await f.cli(['network:allow', 'nope', '-a', 'api']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no app named nope/);
    const again = await f.cli(['network:deny', 'billing', '-a', 'api']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /billing is not allowed to reach api\.internal/);
  });
});

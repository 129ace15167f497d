import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { email, startFixture, type Fixture } from '../test-support/fixture.js';
import { formatReleases } from './releases.js';

describe('releases', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  let f: Fixture;
  before(async () => {
    f = await startFixture();
    const admin = (await f.otherUser('admin@x')).user;
    await f.app('shop', { deployed: false });
    await f.release('shop', { description: 'Deploy 1111111', at: new Date(now.getTime() - 3 * 86_400_000) });
    await f.release('shop', { description: 'Set NODE_ENV config vars', by: admin, at: new Date(now.getTime() - 3 * 3_600_000) });
    await f.release('shop', { description: 'Deploy 3f2c1a0', by: admin, at: new Date(now.getTime() - 2 * 60_000), status: 'failed' });
    await f.app('empty', { deployed: false });
  });
  after(() => f.close());

  it('lists newest first, the current release marked, failures shown', async () => {
    const res = await f.cli(['releases', '-a', 'shop'], { now });
    assert.equal(res.stderr, '');
    assert.deepEqual(res.stdout.split('\n'), [
      '=== shop Releases - Current: v2',
      'v3  Deploy 3f2c1a0 (failed)   admin@x          2m ago',
      'v2  Set NODE_ENV config vars  admin@x          3h ago  (current)',
      `v1  Deploy 1111111            ${email}  3d ago`,
      '',
    ]);
  });

  it('-n limits the list, --json prints the API objects', async () => {
    const res = await f.cli(['releases', '-a', 'shop', '-n', '1'], { now });
    assert.equal(res.stdout.split('\n').length, 3);
    const json = JSON.parse((await f.cli(['releases', '-a', 'shop', '--json', '-n', '2'])).stdout) as { version: number }[];
    assert.deepEqual(
      json.map((r) => r.version),
      [3, 2],
    );
    const bad = await f.cli(['releases', '-a', 'shop', '-n', 'zero']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^paas: -n must be a whole number/);
  });

  it('says when there are none', async () => {
    assert.equal((await f.cli(['releases', '-a', 'empty'])).stdout, 'empty has no releases yet\n');
  });
});

describe('formatReleases', () => {
  it('copes with releases the platform made itself (no user)', () => {
    const now = new Date('2024-05-01T12:00:00Z');
    const release = { id: 'r', version: 7, description: 'Rollback to v5', status: 'succeeded' as const, current: true, eligible_for_rollback: true, image: 'img:7', build: null, process_types: {}, created_at: now.toISOString() };
    assert.deepEqual(formatReleases([release], now), ['v7  Rollback to v5    just now  (current)']);
  });
});

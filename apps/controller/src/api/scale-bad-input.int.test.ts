// Scaling refused as a whole: one unknown type or bad count among good updates changes nothing
// (formation, processes, audit log).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';

describe('scale: bad input changes nothing', () => {
  let h: ApiHarness;
  let alice: Awaited<ReturnType<ApiHarness['user']>>;
  let admin: Awaited<ReturnType<ApiHarness['user']>>;

  before(async () => {
    h = await createApiHarness();
    alice = await h.user('alice@example.com');
    admin = await h.user('root@example.com', 'admin');
    await deployedApp(h, 'shop', alice.user.id);
  });
  after(async () => h.close());

  const state = async () => ({
    formation: (await request(h.app).get('/apps/shop/formation').set(as(alice))).body,
    processes: (await h.runtime.list({ app: 'shop' })).map((p) => p.id).sort(),
    audit: (await request(h.app).get('/admin/audit?action=formation.').set(as(admin))).body.length,
  });

  test('an unknown type, a negative or absurd count among good updates: refused, nothing applied', async () => {
    const before = await state();
    const cases: [unknown[], RegExp][] = [
      [[{ type: 'web', quantity: 3 }, { type: 'clock', quantity: 1 }], /^no clock process type in v1 \(its types: web, worker\)/],
      [[{ type: 'worker', quantity: 2 }, { type: 'web', quantity: -2 }], /^updates\.1\.quantity: /],
      [[{ type: 'web', quantity: 2 }, { type: 'worker', quantity: 100_000 }], /^updates\.1\.quantity: /],
      [[{ type: 'Web!', quantity: 1 }], /^updates\.0\.type: /],
      [[], /^updates: /],
      // hostile values: strings that are no whole number (Heroku's "3" is one), huge numbers, quotes, a type twice
      [[{ type: 'web', quantity: '3x' }], /^updates\.0\.quantity: /],
      [[{ type: 'web', quantity: 1e308 }], /^updates\.0\.quantity: /],
      [[{ type: 'web', quantity: 2 ** 53 + 2 }], /^updates\.0\.quantity: /],
      [[{ type: "web'; DROP TABLE apps; --", quantity: 1 }], /^updates\.0\.type: /],
      [[{ type: 'web', quantity: 1 }, { type: 'web', quantity: 2 }], /^a process type is named twice/],
    ];
    for (const [updates, message] of cases) {
      const res = await request(h.app).patch('/apps/shop/formation').set(as(alice)).send({ updates });
      assert.equal(res.status, 422, JSON.stringify(updates));
      assert.match(res.body.message, message);
    }
    assert.deepEqual(await state(), before);
  });
});

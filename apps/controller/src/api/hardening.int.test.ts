// The operator's per-app loosening of the container hardening: admins only, audited with its reason,
// bounded to the engine's default capabilities; the app's owner cannot ask for it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { hardeningOfApp } from '../db/app-hardening.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';

describe('admin per-app hardening exceptions', () => {
  let h: ApiHarness;
  let alice: Awaited<ReturnType<ApiHarness['user']>>;
  let admin: Awaited<ReturnType<ApiHarness['user']>>;

  before(async () => {
    h = await createApiHarness();
    alice = await h.user('alice@example.com');
    admin = await h.user('root@example.com', 'admin');
    await deployedApp(h, 'legacy', alice.user.id);
  });
  after(async () => h.close());

  test("the app's owner can neither read nor set it; none is set by default", async () => {
    assert.equal((await request(h.app).put('/admin/apps/legacy/hardening').set(as(alice)).send({ cap_add: ['NET_RAW'], reason: 'please' })).status, 403);
    assert.equal((await request(h.app).get('/admin/apps/legacy/hardening').set(as(alice))).status, 403);
    assert.equal((await request(h.app).get('/admin/apps/legacy/hardening').set(as(admin))).status, 404);
    assert.equal(await hardeningOfApp(h.db.pool, 'legacy'), undefined);
  });

  test('an admin loosens it with a reason: stored for the runtime, audited; reset goes back to the defaults', async () => {
    const set = await request(h.app)
      .put('/admin/apps/legacy/hardening')
      .set(as(admin))
      .send({ cap_add: ['NET_BIND_SERVICE', 'CHOWN', 'CHOWN'], pids_limit: 2048, reason: 'vendor image' });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.deepEqual({ ...set.body, updated_at: undefined }, {
      cap_add: ['CHOWN', 'NET_BIND_SERVICE'],
      pids_limit: 2048,
      image_user: false,
      no_new_privileges: true,
      reason: 'vendor image',
      updated_by: 'root@example.com',
      updated_at: undefined,
    });
    assert.deepEqual(await hardeningOfApp(h.db.pool, 'legacy'), { cap_add: ['CHOWN', 'NET_BIND_SERVICE'], pids_limit: 2048, image_user: false, no_new_privileges: true, reason: 'vendor image' });
    await request(h.app).delete('/admin/apps/legacy/hardening').set(as(admin)).expect(200);
    assert.equal(await hardeningOfApp(h.db.pool, 'legacy'), undefined);
    assert.equal((await request(h.app).delete('/admin/apps/legacy/hardening').set(as(admin))).status, 404);
    const events = (await request(h.app).get('/admin/audit?action=hardening.update').set(as(admin)).expect(200)).body as { actor: string; app: string; details: Record<string, unknown> }[];
    assert.deepEqual(
      events.map((e) => [e.actor, e.app, String(e.details['reason'] ?? `reset ${String(e.details['reset'])}`)]).sort(),
      [
        ['root@example.com', 'legacy', 'reset true'],
        ['root@example.com', 'legacy', 'vendor image'],
      ],
    );
  });

  test('more than the engine allows by default, no reason, bad limits or unknown fields are refused', async () => {
    for (const body of [
      { cap_add: ['SYS_ADMIN'], reason: 'x' },
      { cap_add: ['ALL'], reason: 'x' },
      { cap_add: ['NET_RAW'] },
      { cap_add: ['NET_RAW'], reason: '   ' },
      { pids_limit: 1, reason: 'x' },
      { privileged: true, reason: 'x' },
      { binds: ['/:/host'], reason: 'x' },
    ]) {
      const res = await request(h.app).put('/admin/apps/legacy/hardening').set(as(admin)).send(body);
      assert.equal(res.status, 422, JSON.stringify(body));
    }
    assert.equal((await request(h.app).put('/admin/apps/nope/hardening').set(as(admin)).send({ reason: 'x' })).status, 404);
    assert.equal(await hardeningOfApp(h.db.pool, 'legacy'), undefined);
  });
});

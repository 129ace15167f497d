// Service discovery's access list (issue 14, item 2): only the target's owner (or an admin) allows or
// denies a source, every change is audited and reaches the routers' table in Redis at once, and
// nothing is allowed by default, not even between one owner's apps.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { RedisInternalAccess } from '@paas/shared';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';

describe('network:allow, network:deny, network', () => {
  let h: ApiHarness;
  let alice: Awaited<ReturnType<ApiHarness['user']>>;
  let bob: Awaited<ReturnType<ApiHarness['user']>>;
  let carol: Awaited<ReturnType<ApiHarness['user']>>;
  let admin: Awaited<ReturnType<ApiHarness['user']>>;
  let table: RedisInternalAccess;

  before(async () => {
    h = await createApiHarness();
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
    carol = await h.user('carol@example.com');
    admin = await h.user('root@example.com', 'admin');
    await deployedApp(h, 'api', alice.user.id, { collaborators: [carol.user.id] });
    await deployedApp(h, 'web', alice.user.id);
    await deployedApp(h, 'bobs', bob.user.id);
    table = new RedisInternalAccess(h.redis, h.keys);
  });
  after(async () => h.close());

  type Event = { actor: string | null; action: string; app: string | null; details: Record<string, unknown> };
  const audit = async (action: string): Promise<Event[]> => (await request(h.app).get(`/admin/audit?action=${action}`).set(as(admin)).expect(200)).body as Event[];

  test("nothing is allowed by default, not even the owner's other apps", async () => {
    assert.deepEqual((await request(h.app).get('/apps/api/internal-access').set(as(alice)).expect(200)).body, []);
    assert.deepEqual((await table.read()).allowed, {});
  });

  test('the owner allows a source: listed, audited once, in the routers\' table at once; allowing again changes nothing', async () => {
    const res = await request(h.app).put('/apps/api/internal-access/web').set(as(alice));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      (res.body as { source: string; created_by: string }[]).map((r) => [r.source, r.created_by]),
      [['web', 'alice@example.com']],
    );
    assert.deepEqual((await table.read()).allowed, { api: ['web'] });
    await request(h.app).put('/apps/api/internal-access/web').set(as(alice)).expect(200);
    // another tenant's app may be a source too, when the target's owner says so
    await request(h.app).put('/apps/api/internal-access/bobs').set(as(alice)).expect(200);
    assert.deepEqual((await table.read()).allowed, { api: ['bobs', 'web'] });
    const events = await audit('network.allow');
    assert.deepEqual(
      events.map((e) => [e.actor, e.app, e.details['source']]).sort(),
      [
        ['alice@example.com', 'api', 'bobs'],
        ['alice@example.com', 'api', 'web'],
      ],
    );
  });

  test("others cannot change who reaches an app: a collaborator is forbidden, a stranger does not see it, a source's owner cannot let itself in", async () => {
    const collab = await request(h.app).put('/apps/api/internal-access/bobs').set(as(carol));
    assert.equal(collab.status, 403);
    assert.equal((await request(h.app).delete('/apps/api/internal-access/web').set(as(carol))).status, 403);
    assert.equal((await request(h.app).get('/apps/api/internal-access').set(as(carol))).status, 200, 'a collaborator may read the list');
    assert.equal((await request(h.app).put('/apps/web/internal-access/bobs').set(as(bob))).status, 404, "bob cannot see alice's app");
    assert.equal((await request(h.app).get('/apps/api/internal-access').set(as(bob))).status, 404);
    assert.deepEqual((await table.read()).allowed, { api: ['bobs', 'web'] });
  });

  test('bad sources: unknown (404), the app itself and malformed names (422)', async () => {
    const unknown = await request(h.app).put('/apps/api/internal-access/nope').set(as(alice));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.id, 'app_not_found');
    const self = await request(h.app).put('/apps/api/internal-access/api').set(as(alice));
    assert.equal(self.status, 422);
    assert.match(self.body.message, /the app itself/);
    const bad = await request(h.app).put('/apps/api/internal-access/Bad_Name').set(as(alice));
    assert.equal(bad.status, 422);
    assert.equal(bad.body.id, 'invalid_params');
  });

  test('deny removes the source at once and is audited; denying what is not allowed is a 404; an admin may do it too', async () => {
    const res = await request(h.app).delete('/apps/api/internal-access/web').set(as(alice)).expect(200);
    assert.deepEqual((res.body as { source: string }[]).map((r) => r.source), ['bobs']);
    assert.deepEqual((await table.read()).allowed, { api: ['bobs'] });
    const again = await request(h.app).delete('/apps/api/internal-access/web').set(as(alice));
    assert.equal(again.status, 404);
    assert.match(again.body.message, /web is not allowed to reach api\.internal/);
    await request(h.app).delete('/apps/api/internal-access/bobs').set(as(admin)).expect(200);
    assert.deepEqual((await table.read()).allowed, {});
    assert.deepEqual((await audit('network.deny')).map((e) => [e.actor, e.details['source']]).sort(), [
      ['alice@example.com', 'web'],
      ['root@example.com', 'bobs'],
    ]);
  });

  test('a destroyed source loses its access with its rows; the next app of that name is not let in', async () => {
    await request(h.app).put('/apps/api/internal-access/bobs').set(as(alice)).expect(200);
    await request(h.app).delete('/apps/bobs').set(as(bob)).expect(200);
    assert.deepEqual((await request(h.app).get('/apps/api/internal-access').set(as(alice))).body, []);
    assert.deepEqual((await table.read()).allowed, {});
  });
});

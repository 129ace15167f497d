// Issue 23, "nothing is silently lost": an audit event is written in the same transaction as the
// change it records, or the change fails. PostgreSQL itself refuses the events here (a trigger), and
// the change must not have happened: no token, no config var, no domain, no collaborator, no one-off.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';
import type { AppRow } from '../db/apps.js';

describe('audit events commit with their change', () => {
  let h: ApiHarness;
  let alice: Awaited<ReturnType<ApiHarness['user']>>;
  let shop: AppRow;

  before(async () => {
    h = await createApiHarness();
    alice = await h.user('alice@example.com');
    await h.user('bob@example.com');
    shop = (await deployedApp(h, 'shop', alice.user.id)).app;
    await h.db.pool.query(`
      CREATE TABLE refused_audit_actions (action text PRIMARY KEY);
      CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM refused_audit_actions WHERE action = NEW.action) THEN
          RAISE EXCEPTION 'the audit log refuses %', NEW.action;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_audit();`);
  });
  beforeEach(async () => {
    await h.db.pool.query('DELETE FROM refused_audit_actions');
  });
  after(async () => h.close());

  const refuse = (action: string) => h.db.pool.query('INSERT INTO refused_audit_actions VALUES ($1)', [action]);
  const count = async (sql: string, params: unknown[] = []) => (await h.db.pool.query(sql, params)).rows[0].n as number;

  test('an API token whose audit event cannot be written is not issued; the 500 carries its request id', async () => {
    const before = await count('SELECT count(*)::int AS n FROM api_tokens');
    await refuse('authorization.create');
    const res = await request(h.app).post('/account/authorizations').set(as(alice)).send({ description: 'ci' });
    assert.equal(res.status, 500);
    assert.equal(res.body.id, 'internal');
    assert.ok(res.headers['request-id']);
    assert.equal(res.body.request_id, res.headers['request-id'], 'the body names the request id of the header');
    assert.ok(res.body.message.includes(res.headers['request-id']));
    assert.equal(await count('SELECT count(*)::int AS n FROM api_tokens'), before, 'no working token without its audit event');
  });

  test('a revoked token stays valid when its revocation cannot be audited', async () => {
    const created = await request(h.app).post('/account/authorizations').set(as(alice)).send({ description: 'kept' }).expect(201);
    await refuse('authorization.revoke');
    const res = await request(h.app).delete(`/account/authorizations/${created.body.id}`).set(as(alice));
    assert.equal(res.status, 500);
    assert.equal(await count('SELECT count(*)::int AS n FROM api_tokens WHERE id = $1', [created.body.id]), 1);
  });

  test('config vars, domains and collaborators are not changed without their audit event', async () => {
    for (const action of ['config.update', 'domain.add', 'collaborator.add']) await refuse(action);
    assert.equal((await request(h.app).patch('/apps/shop/config-vars').set(as(alice)).send({ A: '1' })).status, 500);
    assert.equal(await count('SELECT count(*)::int AS n FROM config_vars WHERE app_id = $1', [shop.id]), 0);
    assert.equal((await request(h.app).post('/apps/shop/domains').set(as(alice)).send({ hostname: 'www.example.com' })).status, 500);
    assert.equal(await count('SELECT count(*)::int AS n FROM domains WHERE app_id = $1', [shop.id]), 0);
    assert.equal((await request(h.app).post('/apps/shop/collaborators').set(as(alice)).send({ user: 'bob@example.com' })).status, 500);
    assert.equal(await count('SELECT count(*)::int AS n FROM collaborators WHERE app_id = $1', [shop.id]), 0);
  });

  test('a user is not created, disabled or enabled without the audit event', async () => {
    await refuse('user.create');
    await refuse('user.disable');
    const root = await h.user('root@example.com', 'admin');
    const users = await count('SELECT count(*)::int AS n FROM users');
    const created = await request(h.app).post('/admin/users').set(as(root)).send({ email: 'new@example.com', password: 'a long password' });
    assert.equal(created.status, 500);
    assert.equal(await count('SELECT count(*)::int AS n FROM users'), users);
    assert.equal((await request(h.app).post('/admin/users/bob@example.com/disable').set(as(root))).status, 500);
    assert.equal(await count("SELECT count(*)::int AS n FROM users WHERE email = 'bob@example.com' AND disabled_at IS NULL"), 1);
  });

  test('a one-off (process.run) whose audit event cannot be written is stopped and the run fails', async () => {
    await refuse('process.run');
    const res = await request(h.app).post('/apps/shop/dynos').set(as(alice)).send({ command: 'node migrate.js' });
    assert.equal(res.status, 500);
    assert.deepEqual(await h.runtime.listOneOffs({ app: 'shop' }), [], 'the unrecorded one-off was stopped');
    assert.equal(await count('SELECT count(*)::int AS n FROM one_off_runs WHERE app_id = $1', [shop.id]), 0, 'it no longer counts');
    // With the audit log back, a run is recorded with its process name.
    await h.db.pool.query('DELETE FROM refused_audit_actions');
    const ok = await request(h.app).post('/apps/shop/dynos').set(as(alice)).send({ command: 'node migrate.js' }).expect(201);
    const events = await h.db.pool.query("SELECT details FROM audit_events WHERE action = 'process.run' AND app = 'shop'");
    assert.deepEqual(events.rows.map((r) => r.details.process), [ok.body.name]);
  });

  test('quotas, router settings and log drains are not changed without their audit event', async () => {
    const root = await h.user('quota-admin@example.com', 'admin');
    await refuse('quota.update');
    assert.equal((await request(h.app).put('/admin/users/bob@example.com/quota').set(as(root)).send({ apps: 3 })).status, 500);
    assert.equal(await count("SELECT count(*)::int AS n FROM quotas q JOIN users u ON u.id = q.user_id WHERE u.email = 'bob@example.com' AND q.apps = 3"), 0);
    await refuse('router.update');
    const before = (await request(h.app).get('/apps/shop/router').set(as(alice)).expect(200)).body;
    assert.equal((await request(h.app).patch('/apps/shop/router').set(as(alice)).send({ max_body_mb: 7 })).status, 500);
    assert.deepEqual((await request(h.app).get('/apps/shop/router').set(as(alice)).expect(200)).body, before);
    await refuse('drain.add');
    assert.equal((await request(h.app).post('/apps/shop/log-drains').set(as(alice)).send({ url: 'https://93.184.216.34/drain' })).status, 500);
    assert.equal(await count('SELECT count(*)::int AS n FROM log_drains WHERE app_id = $1', [shop.id]), 0);
    // with the audit log back, the drain is added, and its removal is refused while unaudited
    await h.db.pool.query('DELETE FROM refused_audit_actions');
    const added = await request(h.app).post('/apps/shop/log-drains').set(as(alice)).send({ url: 'https://93.184.216.34/drain' });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    await refuse('drain.remove');
    assert.equal((await request(h.app).delete(`/apps/shop/log-drains/${added.body.id}`).set(as(alice))).status, 500);
    assert.equal(await count('SELECT count(*)::int AS n FROM log_drains WHERE app_id = $1', [shop.id]), 1);
  });
});

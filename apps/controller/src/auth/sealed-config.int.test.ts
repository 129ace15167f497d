import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { currentRelease } from '../db/releases.js';
import { createApiHarness, type ApiHarness } from '../api/test-harness.js';
import { as, deployedApp } from '../api/test-fixtures.js';

describe('config vars at rest', () => {
  let h: ApiHarness;
  before(async () => {
    h = await createApiHarness();
  });
  after(async () => h.close());

  test('config_vars and release snapshots hold ciphertext only; the API and the deployer see plaintext', async () => {
    const alice = await h.user('alice@example.com');
    const { app } = await deployedApp(h, 'secretive', alice.user.id);
    const secretValue = 'sk_live_0123456789';
    await request(h.app).patch('/apps/secretive/config-vars').set(as(alice)).send({ STRIPE_KEY: secretValue }).expect(200);

    const vars = await h.db.pool.query('SELECT key, value_enc FROM config_vars WHERE app_id = $1', [app.id]);
    assert.ok(!Buffer.from(vars.rows[0].value_enc).includes(Buffer.from(secretValue)));
    const releases = await h.db.pool.query('SELECT config_enc FROM releases WHERE app_id = $1 ORDER BY version', [app.id]);
    for (const r of releases.rows) {
      assert.ok(r.config_enc && !Buffer.from(r.config_enc).includes(Buffer.from(secretValue)));
    }
    for (const table of ['releases', 'config_vars', 'audit_events']) {
      const dump = await h.db.pool.query(`SELECT string_agg(t::text, ' ') AS all FROM ${table} t`);
      assert.ok(!String(dump.rows[0].all).includes(secretValue), table);
    }

    assert.deepEqual((await request(h.app).get('/apps/secretive/config-vars').set(as(alice))).body, { STRIPE_KEY: secretValue });
    assert.equal((await currentRelease(h.db.pool, h.access.cipher, app.id))?.config['STRIPE_KEY'], secretValue);
    const procs = await h.runtime.list({ app: 'secretive' });
    assert.equal(procs[0]?.release, 2, 'the config change released v2 with the decrypted env');
    // Only the app's users see them.
    const bob = await h.user('bob@example.com');
    assert.equal((await request(h.app).get('/apps/secretive/config-vars').set(as(bob))).status, 404);
  });
});

// Stacks through the API (GET /stacks, an app's stack and build_stack, PATCH /apps/{app} {build_stack}),
// against the real PostgreSQL with the in-memory runtime. That a build really runs on the stack is
// test/stacks/stacks.test.ts's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { stacks } from '@paas/shared';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findAppByName, insertApp } from '../db/apps.js';
import { defaultMigrationsDir, migrate } from '../db/migrator.js';
import { createTestDatabase } from '../db/test-database.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';

describe('stacks', () => {
  let h: ApiHarness;
  let alice: { token: string; user: { id: string } };
  let bob: { token: string; user: { id: string } };
  const trixie = stacks.find((s) => s.name === 'trixie')!;
  const bookworm = stacks.find((s) => s.name === 'bookworm')!;

  before(async () => {
    h = await createApiHarness();
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
  });
  after(async () => {
    await h.close();
  });

  test("GET /stacks: Heroku's fields, trixie the default, bookworm deprecated; one by name or id", async () => {
    const list = (await request(h.app).get('/stacks').set(as(alice)).expect(200)).body as { name: string; default: boolean; state: string; id: string; created_at: string }[];
    assert.deepEqual(list.map((s) => [s.name, s.default, s.state]), [['trixie', true, 'public'], ['bookworm', false, 'deprecated']]);
    for (const s of list) assert.ok(s.id && !Number.isNaN(Date.parse(s.created_at)), JSON.stringify(s));
    assert.equal((await request(h.app).get('/stacks/bookworm').set(as(alice)).expect(200)).body.id, bookworm.id);
    assert.equal((await request(h.app).get(`/stacks/${trixie.id}`).set(as(alice)).expect(200)).body.name, 'trixie');
    const missing = await request(h.app).get('/stacks/heroku-24').set(as(alice)).expect(404);
    assert.match(missing.body.message, /no stack "heroku-24": the stacks are trixie, bookworm/);
    await request(h.app).get('/stacks').expect(401);
  });

  test('a new app builds on trixie; an app from before stacks (the migration) keeps bookworm', async () => {
    const created = await request(h.app).post('/apps').set(as(alice)).send({ name: 'stk-new' }).expect(201);
    assert.deepEqual([created.body.build_stack, created.body.stack], [{ id: trixie.id, name: 'trixie' }, { id: trixie.id, name: 'trixie' }]);
    // a platform migrated up to the migration before stacks, with an app; then migrated on
    const db = await createTestDatabase({ migrated: false });
    const before = await mkdtemp(join(tmpdir(), 'paas-migrations-'));
    try {
      for (const f of await readdir(defaultMigrationsDir)) if (f < '043_') await copyFile(join(defaultMigrationsDir, f), join(before, f));
      await migrate(db.pool, before);
      const { rows } = await db.pool.query<{ id: string }>("INSERT INTO users (email, password_hash) VALUES ('old@example.com', 'x') RETURNING id");
      await insertApp(db.pool, 'stk-old', rows[0]!.id);
      assert.ok((await migrate(db.pool)).includes('043_stacks.sql'));
      await insertApp(db.pool, 'stk-after', rows[0]!.id);
      assert.equal((await findAppByName(db.pool, 'stk-old'))!.build_stack, 'bookworm');
      assert.equal((await findAppByName(db.pool, 'stk-after'))!.build_stack, 'trixie');
    } finally {
      await db.drop();
      await rm(before, { recursive: true, force: true });
    }
  });

  test('stack:set moves the next build only: the current release stays on its stack until then', async () => {
    const { app } = await deployedApp(h, 'stk-live', alice.user.id);
    assert.deepEqual([app.stack, app.build_stack], ['trixie', 'trixie']);
    const moved = await request(h.app).patch('/apps/stk-live').set(as(alice)).send({ build_stack: 'bookworm' }).expect(200);
    assert.equal(moved.body.build_stack.name, 'bookworm');
    assert.equal(moved.body.stack.name, 'trixie', 'the running release was built on trixie');
    const builds = await request(h.app).get('/apps/stk-live/builds').set(as(alice)).expect(200);
    assert.equal(builds.body[0].stack, 'trixie');
    // Heroku's other forms: {name}, {id}; setting the stack it has is a no-op
    await request(h.app).patch('/apps/stk-live').set(as(alice)).send({ build_stack: { id: trixie.id } }).expect(200);
    await request(h.app).patch('/apps/stk-live').set(as(alice)).send({ build_stack: { name: 'trixie' } }).expect(200);
    const events = await h.db.pool.query<{ details: { from: string; to: string } }>("SELECT details FROM audit_events WHERE action = 'app.stack' AND app = 'stk-live' ORDER BY id");
    assert.deepEqual(events.rows.map((r) => [r.details.from, r.details.to]), [['trixie', 'bookworm'], ['bookworm', 'trixie']]);
    // with maintenance in the same request
    const both = await request(h.app).patch('/apps/stk-live').set(as(alice)).send({ maintenance: true, build_stack: 'bookworm' }).expect(200);
    assert.deepEqual([both.body.maintenance, both.body.build_stack.name], [true, 'bookworm']);
  });

  test('unknown stacks and malformed bodies are a clear 422; another user can neither see nor change the stack', async () => {
    await deployedApp(h, 'stk-priv', alice.user.id);
    const unknown = await request(h.app).patch('/apps/stk-priv').set(as(alice)).send({ build_stack: 'heroku-24' }).expect(422);
    assert.match(unknown.body.message, /build_stack: no stack "heroku-24": the stacks are trixie, bookworm/);
    for (const body of [{ build_stack: 7 }, { build_stack: null }, { build_stack: { name: 'trixie', extra: 1 } }, { build_stack: 'x'.repeat(10_000) }, {}, { build_stack: ['trixie'] }]) {
      const res = await request(h.app).patch('/apps/stk-priv').set(as(alice)).send(body);
      assert.equal(res.status, 422, `${JSON.stringify(body).slice(0, 80)}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    await request(h.app).patch('/apps/stk-priv').set(as(bob)).send({ build_stack: 'bookworm' }).expect(404);
    await request(h.app).get('/apps/stk-priv').set(as(bob)).expect(404);
    const after = await request(h.app).get('/apps/stk-priv').set(as(alice)).expect(200);
    assert.equal(after.body.build_stack.name, 'trixie');
  });
});

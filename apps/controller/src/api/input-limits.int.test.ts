// Issue 23's limits a user can read: config vars (count, name, value, total size, characters), token
// descriptions, and domains, drains and collaborators per app. Each is a 422 with a stable id, and a
// refused change applies nothing.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';
import { createUser } from '../db/users.js';
import { addCollaborator } from '../db/collaborators.js';
import { insertDomain } from '../db/domains.js';
import { insertLogDrain } from '../db/log-drains.js';
import type { AppRow } from '../db/apps.js';
import { collaboratorsPerAppMax, configTotalBytesMax, configValueMax, configVarsMax, domainsPerAppMax, drainsPerAppMax, tokenDescriptionMax } from './input-limits.js';

describe('input limits', () => {
  let h: ApiHarness;
  let alice: Awaited<ReturnType<ApiHarness['user']>>;
  let shop: AppRow;

  before(async () => {
    h = await createApiHarness();
    alice = await h.user('alice@example.com');
    shop = (await deployedApp(h, 'shop', alice.user.id)).app;
  });
  after(async () => h.close());

  const vars = async (app: AppRow) => (await h.db.pool.query('SELECT count(*)::int AS n FROM config_vars WHERE app_id = $1', [app.id])).rows[0].n as number;
  const patch = (app: string, body: object) => request(h.app).patch(`/apps/${app}/config-vars`).set(as(alice)).send(body);
  const many = (n: number, prefix: string, value = 'v') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, value]));

  test('config vars: at most configVarsMax per app, in one PATCH or over several (422 limit_exceeded)', async () => {
    const { app } = await deployedApp(h, 'many-vars', alice.user.id);
    const once = await patch('many-vars', many(configVarsMax + 1, 'A'));
    assert.equal(once.status, 422);
    assert.equal(once.body.id, 'limit_exceeded');
    assert.equal(await vars(app), 0);
    assert.equal((await patch('many-vars', many(configVarsMax - 1, 'B'))).status, 200);
    const over = await patch('many-vars', { C1: 'x', C2: 'y' });
    assert.equal(over.status, 422);
    assert.equal(over.body.id, 'limit_exceeded');
    assert.match(over.body.message, new RegExp(`at most ${configVarsMax}`));
    assert.equal(await vars(app), configVarsMax - 1, 'nothing of the refused PATCH applied');
    assert.equal((await patch('many-vars', { C1: 'x', B0: null })).status, 200, 'unsetting makes room in the same PATCH');
  });

  test('config vars: a PATCH with thousands of keys is refused by its count before any key or value is checked (422 limit_exceeded)', async () => {
    // Every name and value here is bad: had they been checked one by one first, the answer would name one of them.
    const res = await patch('shop', many(5_000, '1-bad name ', '\u0001'));
    assert.equal(res.status, 422);
    assert.equal(res.body.id, 'limit_exceeded');
    assert.equal(res.body.field, undefined);
    assert.match(res.body.message, new RegExp(`at most ${configVarsMax} config vars`));
    // Up to the limit, the keys are checked as before.
    const checked = await patch('shop', many(configVarsMax, '1-bad name '));
    assert.equal(checked.status, 422);
    assert.equal(checked.body.id, 'invalid_params');
    // Past 10,000 values, any body is refused before it is parsed.
    const huge = await patch('shop', many(20_000, 'K'));
    assert.equal(huge.status, 413);
    assert.equal(huge.body.id, 'payload_too_large');
    assert.deepEqual([huge.body.limit, huge.body.max], ['values', 10_000]);
    assert.equal(await vars(shop), 0);
  });

  test('config vars: names match the env-var pattern and the length limit; values the size limit (422)', async () => {
    for (const key of ['1A', 'A-B', 'A B', 'Ä', '', 'A'.repeat(201)]) {
      const res = await patch('shop', { [key]: 'x' });
      assert.equal(res.status, 422, JSON.stringify(key));
      assert.equal(res.body.id, 'invalid_params');
    }
    const big = await patch('shop', { BIG: 'x'.repeat(configValueMax + 1) });
    assert.equal(big.status, 422);
    assert.match(big.body.message, /^BIG: /);
    assert.equal(await vars(shop), 0);
  });

  test('config vars: the total size is limited (422 limit_exceeded)', async () => {
    const { app } = await deployedApp(h, 'big-vars', alice.user.id);
    const n = Math.ceil(configTotalBytesMax / configValueMax) + 1;
    const res = await patch('big-vars', many(n, 'V', 'x'.repeat(configValueMax)));
    assert.equal(res.status, 422);
    assert.equal(res.body.id, 'limit_exceeded');
    assert.match(res.body.message, /bytes/);
    assert.equal(await vars(app), 0);
  });

  test('config vars: values may hold tabs and newlines (a PEM key) but no other control character', async () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIB\tAA==\n-----END PRIVATE KEY-----\n';
    const ok = await patch('shop', { PEM: pem });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.PEM, pem);
    for (const value of ['a\u0001b', '\u001b[31mred', 'a\rb', 'a\u007fb', 'a\u0000b']) {
      const res = await patch('shop', { BAD: value });
      assert.equal(res.status, 422, JSON.stringify(value));
      assert.equal(res.body.id, 'invalid_characters');
    }
    assert.equal((await request(h.app).get('/apps/shop/config-vars').set(as(alice))).body.BAD, undefined);
  });

  test('token descriptions: one printable line of at most tokenDescriptionMax characters; CR, LF and escapes are refused, not echoed', async () => {
    const before = (await h.db.pool.query('SELECT count(*)::int AS n FROM api_tokens')).rows[0].n as number;
    for (const description of ['ci\r\nX-Injected: 1', 'line\nbreak', '\u001b[2J\u001b[Hpwned', 'tab\there', '\u009bc', 'x'.repeat(tokenDescriptionMax + 1)]) {
      const res = await request(h.app).post('/account/authorizations').set(as(alice)).send({ description });
      assert.equal(res.status, 422, JSON.stringify(description));
      assert.match(res.body.id, /^(invalid_characters|invalid_params)$/);
      assert.ok(!JSON.stringify(res.body).includes(description), 'the description is not echoed back');
    }
    assert.equal((await h.db.pool.query('SELECT count(*)::int AS n FROM api_tokens')).rows[0].n, before);
    const ok = await request(h.app).post('/account/authorizations').set(as(alice)).send({ description: 'CI for shop — 部署' });
    assert.equal(ok.status, 201);
  });

  test('a one-off command holds no terminal escapes (tabs and newlines are fine)', async () => {
    const bad = await request(h.app).post('/apps/shop/dynos').set(as(alice)).send({ command: 'echo \u001b]0;owned\u0007' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.id, 'invalid_characters');
    assert.equal((await request(h.app).post('/apps/shop/dynos').set(as(alice)).send({ command: 'sh -c "echo a\n\techo b"' })).status, 201);
  });

  test('domains: at most domainsPerAppMax custom domains per app (422 limit_exceeded)', async () => {
    const { app } = await deployedApp(h, 'many-domains', alice.user.id);
    for (let i = 0; i < domainsPerAppMax; i++) await insertDomain(h.db.pool, app.id, `d${i}.example.com`);
    const res = await request(h.app).post('/apps/many-domains/domains').set(as(alice)).send({ hostname: 'one-more.example.com' });
    assert.equal(res.status, 422);
    assert.equal(res.body.id, 'limit_exceeded');
    const n = (await h.db.pool.query('SELECT count(*)::int AS n FROM domains WHERE app_id = $1', [app.id])).rows[0].n;
    assert.equal(n, domainsPerAppMax);
    const audit = await h.db.pool.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'domain.add' AND app = 'many-domains'");
    assert.equal(audit.rows[0].n, 0);
  });

  test('collaborators: at most collaboratorsPerAppMax per app (422 limit_exceeded)', async () => {
    const { app } = await deployedApp(h, 'crowded', alice.user.id);
    for (let i = 0; i < collaboratorsPerAppMax; i++) {
      const u = await createUser(h.db.pool, `c${i}@example.com`, 'not-a-hash', 'user');
      await addCollaborator(h.db.pool, app.id, u.id);
    }
    await createUser(h.db.pool, 'late@example.com', 'not-a-hash', 'user');
    const res = await request(h.app).post('/apps/crowded/collaborators').set(as(alice)).send({ user: 'late@example.com' });
    assert.equal(res.status, 422);
    assert.equal(res.body.id, 'limit_exceeded');
    const n = (await h.db.pool.query('SELECT count(*)::int AS n FROM collaborators WHERE app_id = $1', [app.id])).rows[0].n;
    assert.equal(n, collaboratorsPerAppMax);
  });

  test('drains: at most drainsPerAppMax per app (422 limit_exceeded)', async () => {
    const { app } = await deployedApp(h, 'drained', alice.user.id);
    for (let i = 0; i < drainsPerAppMax; i++) await insertLogDrain(h.db.pool, app.id, `https://93.184.216.34/d${i}`, `d.${randomUUID()}`);
    const res = await request(h.app).post('/apps/drained/log-drains').set(as(alice)).send({ url: 'https://93.184.216.34/more' });
    assert.equal(res.status, 422);
    assert.equal(res.body.id, 'limit_exceeded');
  });

  test('the README documents the limits as they are', async () => {
    const readme = await readFile(new URL('../../../../README.md', import.meta.url), 'utf8');
    assert.ok(readme.includes(`| config vars per app | ${configVarsMax}, of ${configTotalBytesMax / 1024} KB in all`));
    assert.ok(readme.includes(`at most ${configValueMax.toLocaleString('en-US')} characters`));
    assert.ok(readme.includes(`| custom domains, log drains, collaborators per app | ${domainsPerAppMax}, ${drainsPerAppMax}, ${collaboratorsPerAppMax} |`));
    assert.ok(readme.includes(`at most ${tokenDescriptionMax} characters, one printable line`));
  });

  test('the limits are documented in the OpenAPI document', async () => {
    const doc = JSON.stringify((await request(h.app).get('/openapi.json')).body);
    assert.ok(doc.includes(`at most ${configVarsMax} config vars`));
    assert.ok(doc.includes(`at most ${domainsPerAppMax} per app`));
    assert.ok(doc.includes(`at most ${tokenDescriptionMax} characters`));
  });
});

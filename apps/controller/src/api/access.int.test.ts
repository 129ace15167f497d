// Sessions, API tokens, disabled users, collaborators and the git authorizer, over HTTP against the
// real PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import jwt from 'jsonwebtoken';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as } from './test-fixtures.js';
import { findUserById } from '../db/users.js';

const basic = (token: string) => ({ Authorization: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` });
const secret = 'x'.repeat(32);

describe('access control', () => {
  let h: ApiHarness;
  let alice: Awaited<ReturnType<ApiHarness['user']>>;
  let bob: Awaited<ReturnType<ApiHarness['user']>>;
  let carol: Awaited<ReturnType<ApiHarness['user']>>;
  let admin: Awaited<ReturnType<ApiHarness['user']>>;

  before(async () => {
    h = await createApiHarness({ loginRateLimit: 10 });
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
    carol = await h.user('carol@example.com');
    admin = await h.user('root@example.com', 'admin');
  });
  after(async () => h.close());

  test('authorizations: created once with the token, listed without it, revoked at once', async () => {
    const created = await request(h.app).post('/account/authorizations').set(as(alice)).send({ description: 'ci' });
    assert.equal(created.status, 201);
    const token: string = created.body.access_token.token;
    assert.match(token, /^paas_[A-Za-z0-9_-]{43}$/);
    const stored = await h.db.pool.query('SELECT token_hash FROM api_tokens WHERE id = $1', [created.body.id]);
    assert.notEqual(stored.rows[0].token_hash, token, 'only a hash is stored');

    const list = await request(h.app).get('/account/authorizations').set({ Authorization: `Bearer ${token}` });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.map((a: { description: string }) => a.description), ['ci']);
    assert.equal(list.body[0].access_token, null, 'the token is never shown again');
    assert.ok(list.body[0].last_used_at, 'use is recorded');

    // Another user cannot see or revoke it.
    assert.deepEqual((await request(h.app).get('/account/authorizations').set(as(bob))).body, []);
    const foreign = await request(h.app).delete(`/account/authorizations/${created.body.id}`).set(as(bob));
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.id, 'authorization_not_found');

    const revoked = await request(h.app).delete(`/account/authorizations/${created.body.id}`).set(as(alice));
    assert.equal(revoked.status, 200);
    const next = await request(h.app).get('/account').set({ Authorization: `Bearer ${token}` });
    assert.equal(next.status, 401, 'revocation takes effect on the next request');
    assert.match(next.body.message, /revoked/);
    assert.equal((await request(h.app).delete('/account/authorizations/not-a-uuid').set(as(alice))).status, 404);
  });

  test('logout revokes the session it is called with on the server, from the next request on', async () => {
    // Sessions as POST /auth/login issues them (not logged in through it: the login rate limit is tested below).
    const login = async () => ({ token: h.tokens.issueSession((await findUserById(h.db.pool, carol.user.id))!) });
    const session = await login();
    const other = await login();
    assert.equal((await request(h.app).get('/account').set(as(session))).status, 200);
    const out = await request(h.app).delete('/auth/session').set(as(session));
    assert.deepEqual([out.status, out.body], [200, { revoked: 'session' }]);
    const next = await request(h.app).get('/account').set(as(session));
    assert.equal(next.status, 401, 'the logged-out token fails on the next request');
    assert.match(next.body.message, /session revoked/);
    assert.equal((await request(h.app).get('/apps').set(basic(session.token))).status, 401, 'as a git password too');
    assert.equal((await request(h.app).delete('/auth/session').set(as(session))).status, 401);
    assert.equal((await request(h.app).get('/account').set(as(other))).status, 200, 'other sessions go on');
    const audit = await h.db.pool.query("SELECT actor_email FROM audit_events WHERE action = 'session.revoke'");
    assert.deepEqual(audit.rows, [{ actor_email: 'carol@example.com' }]);

    // A session from before session ids (no jti) cannot be revoked alone: all the user's sessions are.
    const legacy = jwt.sign({ sub: carol.user.id, role: 'user', ver: carol.user.token_version }, secret, { issuer: 'paas', expiresIn: '1h' });
    assert.deepEqual((await request(h.app).delete('/auth/session').set(as({ token: legacy }))).body, { revoked: 'all_sessions' });
    assert.equal((await request(h.app).get('/account').set(as(other))).status, 401);
    carol = { ...carol, token: (await login()).token };

    // An API token is not revoked by logout (authorizations:revoke is for those).
    const ci = await request(h.app).post('/account/authorizations').set(as(carol)).send({ description: 'ci' });
    const apiToken = { token: ci.body.access_token.token as string };
    assert.deepEqual((await request(h.app).delete('/auth/session').set(as(apiToken))).body, { revoked: 'none' });
    assert.equal((await request(h.app).get('/account').set(as(apiToken))).status, 200);
  });

  test('forged, tampered, algorithm-none and expired session tokens are 401', async () => {
    const forged = jwt.sign({ sub: alice.user.id, role: 'admin', ver: 0 }, 'y'.repeat(32), { issuer: 'paas' });
    const expired = jwt.sign({ sub: alice.user.id, role: 'user', ver: 0, exp: Math.floor(Date.now() / 1000) - 10 }, secret, { issuer: 'paas' });
    const [header, , signature] = alice.token.split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ sub: admin.user.id, role: 'admin', ver: 0, iss: 'paas' })).toString('base64url')}.${signature}`;
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: admin.user.id, iss: 'paas' })).toString('base64url')}.`;
    const noSub = jwt.sign({ role: 'admin' }, secret, { issuer: 'paas' });
    const badSub = jwt.sign({ sub: "' OR 1=1 --" }, secret, { issuer: 'paas' });
    for (const [name, token] of Object.entries({ forged, expired, tampered, none, noSub, badSub, garbage: 'abc.def', paas_guess: 'paas_xyz' })) {
      const res = await request(h.app).get('/apps').set({ Authorization: `Bearer ${token}` });
      assert.equal(res.status, 401, name);
      assert.equal(res.body.id, 'unauthorized', name);
    }
    const res = await request(h.app).get('/apps').set({ Authorization: `Bearer ${expired}` });
    assert.match(res.body.message, /session expired/);
  });

  test('a session that worked stops working when it expires (its verified signature is not kept past exp)', async () => {
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = jwt.sign({ sub: alice.user.id, role: 'user', ver: alice.user.token_version, exp }, secret, { issuer: 'paas' });
    assert.equal((await request(h.app).get('/apps').set({ Authorization: `Bearer ${token}` })).status, 200);
    assert.equal((await request(h.app).get('/apps').set({ Authorization: `Bearer ${token}` })).status, 200);
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
    const res = await request(h.app).get('/apps').set({ Authorization: `Bearer ${token}` });
    assert.equal(res.status, 401);
    assert.match(res.body.message, /session expired/);
  });

  test('login is rate-limited per email, with Retry-After', async () => {
    await h.user('victim@example.com');
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 12; i++) {
      last = await request(h.app).post('/auth/login').send({ email: 'victim@example.com', password: `guess-${i}` });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [...Array(10).fill(401), 429, 429]);
    assert.equal(last!.body.id, 'rate_limited');
    const retryAfter = Number(last!.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
    // Even the right password waits.
    const right = await request(h.app).post('/auth/login').send({ email: 'victim@example.com', password: 'secret-pw' });
    assert.equal(right.status, 429);
    // The window ends: shift it into the past, as a minute passing would.
    await h.db.pool.query("UPDATE login_attempts SET window_start = window_start - interval '61 seconds'");
    const later = await request(h.app).post('/auth/login').send({ email: 'victim@example.com', password: 'secret-pw' });
    assert.equal(later.status, 200);
  });

  test('login is rate-limited per IP across emails', async () => {
    await h.db.pool.query('DELETE FROM login_attempts');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await request(h.app).post('/auth/login').send({ email: `nobody${i}@example.com`, password: 'x' })).status);
    }
    assert.deepEqual(statuses, [...Array(10).fill(401), 429]);
    await h.db.pool.query('DELETE FROM login_attempts');
  });

  test('collaborators: the owner adds and removes them; they deploy, scale and configure but cannot destroy or manage access', async () => {
    await request(h.app).post('/apps').set(as(alice)).send({ name: 'team-app' }).expect(201);
    // Strangers see nothing.
    assert.equal((await request(h.app).get('/apps/team-app/collaborators').set(as(bob))).status, 404);
    assert.equal((await request(h.app).post('/apps/team-app/collaborators').set(as(bob)).send({ user: 'bob@example.com' })).status, 404);

    const added = await request(h.app).post('/apps/team-app/collaborators').set(as(alice)).send({ user: 'BOB@example.com' });
    assert.equal(added.status, 201);
    assert.deepEqual([added.body.user.email, added.body.role], ['bob@example.com', 'collaborator']);
    const again = await request(h.app).post('/apps/team-app/collaborators').set(as(alice)).send({ user: 'bob@example.com' });
    assert.equal(again.status, 422);
    const self = await request(h.app).post('/apps/team-app/collaborators').set(as(alice)).send({ user: 'alice@example.com' });
    assert.equal(self.status, 422);
    const nobody = await request(h.app).post('/apps/team-app/collaborators').set(as(alice)).send({ user: 'nobody@example.com' });
    assert.equal(nobody.status, 404);
    assert.equal(nobody.body.id, 'user_not_found');

    const list = await request(h.app).get('/apps/team-app/collaborators').set(as(bob));
    assert.deepEqual(list.body.map((c: { user: { email: string }; role: string }) => [c.user.email, c.role]), [
      ['alice@example.com', 'owner'],
      ['bob@example.com', 'collaborator'],
    ]);
    assert.deepEqual((await request(h.app).get('/apps').set(as(bob))).body.map((a: { name: string }) => a.name), ['team-app']);
    await request(h.app).patch('/apps/team-app/config-vars').set(as(bob)).send({ A: '1' }).expect(200);
    const destroy = await request(h.app).delete('/apps/team-app').set(as(bob));
    assert.equal(destroy.status, 403);
    assert.equal(destroy.body.id, 'forbidden');
    const manage = await request(h.app).post('/apps/team-app/collaborators').set(as(bob)).send({ user: 'carol@example.com' });
    assert.equal(manage.status, 403);

    // git: the collaborator may push; a stranger is told the app does not exist.
    assert.equal((await request(h.app).get('/team-app.git/info/refs?service=git-receive-pack').set(basic(bob.token))).status, 200);
    assert.equal((await request(h.app).get('/team-app.git/info/refs?service=git-receive-pack').set(basic(carol.token))).status, 404);

    const owner = await request(h.app).delete('/apps/team-app/collaborators/alice@example.com').set(as(alice));
    assert.equal(owner.status, 422);
    const removed = await request(h.app).delete('/apps/team-app/collaborators/bob@example.com').set(as(alice));
    assert.equal(removed.status, 200);
    assert.equal((await request(h.app).get('/apps/team-app').set(as(bob))).status, 404, 'access ends at once');
    assert.equal((await request(h.app).get('/team-app.git/info/refs?service=git-receive-pack').set(basic(bob.token))).status, 404);
    const gone = await request(h.app).delete('/apps/team-app/collaborators/bob@example.com').set(as(alice));
    assert.equal(gone.body.id, 'collaborator_not_found');
    // An admin manages access to any app.
    await request(h.app).post('/apps/team-app/collaborators').set(as(admin)).send({ user: 'carol@example.com' }).expect(201);
  });

  test('disabling a user revokes their sessions and API tokens and refuses their pushes; enabling lets them log in anew', async () => {
    const dave = await h.user('dave@example.com');
    await request(h.app).post('/apps').set(as(dave)).send({ name: 'dave-app' }).expect(201);
    const apiToken = (await request(h.app).post('/account/authorizations').set(as(dave)).send({ description: 'ci' })).body.access_token.token;
    assert.equal((await request(h.app).get('/dave-app.git/info/refs?service=git-receive-pack').set(basic(apiToken))).status, 200);

    assert.equal((await request(h.app).post(`/admin/users/dave@example.com/disable`).set(as(alice))).status, 403);
    const disabled = await request(h.app).post(`/admin/users/dave@example.com/disable`).set(as(admin));
    assert.equal(disabled.status, 200);
    assert.equal(disabled.body.disabled, true);

    for (const token of [dave.token, apiToken]) {
      assert.equal((await request(h.app).get('/apps').set({ Authorization: `Bearer ${token}` })).status, 401);
      const push = await request(h.app).get('/dave-app.git/info/refs?service=git-receive-pack').set(basic(token));
      assert.equal(push.status, 401, 'the git authorizer refuses the push');
    }
    assert.equal((await h.db.pool.query('SELECT count(*)::int AS n FROM api_tokens WHERE user_id = $1', [dave.user.id])).rows[0].n, 0);
    const login = await request(h.app).post('/auth/login').send({ email: 'dave@example.com', password: 'secret-pw' });
    assert.equal(login.status, 401);
    assert.match(login.body.message, /disabled/);
    // The app keeps running and an admin still sees it.
    assert.equal((await request(h.app).get('/apps/dave-app').set(as(admin))).status, 200);
    // Admins cannot lock themselves out.
    assert.equal((await request(h.app).post(`/admin/users/${admin.user.id}/disable`).set(as(admin))).status, 422);

    await request(h.app).post('/admin/users/dave@example.com/enable').set(as(admin)).expect(200);
    assert.equal((await request(h.app).get('/apps').set(as(dave))).status, 401, 'old sessions stay revoked');
    const again = await request(h.app).post('/auth/login').send({ email: 'dave@example.com', password: 'secret-pw' });
    assert.equal(again.status, 200);
    assert.equal((await request(h.app).get('/apps').set({ Authorization: `Bearer ${again.body.token}` })).status, 200);
  });

  test('a push authorised before the pusher was disabled is refused by the hook endpoint', async () => {
    const erin = await h.user('erin@example.com');
    await request(h.app).post('/apps').set(as(erin)).send({ name: 'erin-app' }).expect(201);
    const commit = 'b'.repeat(40);
    // What git-receive-pack registers once the authorizer has let the push in:
    h.pushes.add('erin-app', commit, erin.user, '127.0.0.1');
    await request(h.app).post('/admin/users/erin@example.com/disable').set(as(admin)).expect(200);
    const res = await request(h.app).post(`/internal/git/erin-app/receive?commit=${commit}`).set('x-paas-hook-token', 'hook-token');
    assert.equal(res.status, 401);
    assert.match(res.body.message, /disabled/);
    assert.equal((await h.db.pool.query('SELECT count(*)::int AS n FROM builds')).rows[0].n, 0, 'no build was started');
  });
});

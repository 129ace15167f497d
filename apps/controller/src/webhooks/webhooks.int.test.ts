import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { EgressGuard } from '@paas/shared';
import { eventually } from '@paas/test-kit';
import { createApiHarness, type ApiHarness } from '../api/test-harness.js';
import { as, deployedApp } from '../api/test-fixtures.js';
import { selfSignedCert } from '../logs/test-drain-receivers.js';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

type Responder = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, n: number) => void;

/** An HTTPS receiver on loopback: records every POST, answers as `respond` says for its path. */
class Receiver {
  readonly received: Received[] = [];
  readonly responders = new Map<string, Responder>();
  private readonly counts = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  server!: https.Server;
  port = 0;

  async start(cert: { cert: Buffer; key: Buffer }): Promise<void> {
    this.server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const n = (this.counts.get(path) ?? 0) + 1;
        this.counts.set(path, n);
        const respond = this.responders.get(path);
        if (respond) respond(req, res, n);
        else res.end('ok');
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `https://127.0.0.1:${this.port}${path}`;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const verify = (secret: string, r: Received): boolean => createHmac('sha256', secret).update(r.body).digest('base64') === r.headers['heroku-webhook-hmac-sha256'];

describe('app webhooks', () => {
  let h: ApiHarness;
  let strict: ApiHarness;
  let dir: string;
  const receiver = new Receiver();
  let alice: { token: string; user: { id: string } };
  let bob: { token: string; user: { id: string } };
  let carol: { token: string; user: { id: string } };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paas-webhooks-test-'));
    const cert = await selfSignedCert(dir);
    await receiver.start(cert);
    // The test allows loopback targets for itself, as an operator would with PAAS_EGRESS_ALLOW_LOOPBACK.
    h = await createApiHarness({ egress: new EgressGuard({ allowLoopback: true }), webhooks: { ca: cert.cert, settings: { timeoutMs: 1500, retryBaseMs: 100, syncAttempts: 3 } } });
    strict = await createApiHarness();
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
    carol = await h.user('carol@example.com');
    await deployedApp(h, 'hooked', alice.user.id, { collaborators: [carol.user.id] });
  });
  after(async () => {
    await h.close();
    await strict.close();
    await receiver.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a notify webhook gets each release and build event, signed with the secret shown once', async () => {
    const created = await request(h.app)
      .post('/apps/hooked/webhooks')
      .set(as(alice))
      .send({ url: receiver.url('/notify'), include: ['api:release', 'api:build'], level: 'notify' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const secret = created.body.secret as string;
    assert.match(secret, /^[0-9a-f]{64}$/);
    assert.equal(created.headers['heroku-webhook-secret'], secret);
    assert.deepEqual(created.body.include, ['api:release', 'api:build']);
    const listed = await request(h.app).get('/apps/hooked/webhooks').set(as(alice)).expect(200);
    assert.equal(listed.body.length, 1);
    assert.equal(listed.body[0].secret, undefined, 'the secret is shown on create only');

    await request(h.app).patch('/apps/hooked/config-vars').set(as(alice)).send({ GREETING: 'hi' }).expect(200);
    const deliveries = await eventually(() => receiver.at('/notify').length >= 2 && receiver.at('/notify'), 'the release events', { timeoutMs: 20_000 });
    for (const d of deliveries) assert.ok(verify(secret, d), 'the signature verifies with the secret');
    const bodies = deliveries.map((d) => JSON.parse(d.body));
    const create = bodies.find((b) => b.action === 'create')!;
    assert.equal(create.resource, 'release');
    assert.equal(create.data.version, 2);
    assert.equal(create.data.status, 'pending');
    assert.deepEqual(create.data.app.name, 'hooked');
    assert.equal(create.actor.email, 'alice@example.com');
    assert.equal(create.version, 'application/vnd.heroku+json; version=3');
    assert.equal(create.webhook_metadata.event.include, 'api:release');
    assert.ok(create.published_at);
    assert.ok(bodies.some((b) => b.action === 'update' && b.data.status === 'succeeded' && b.previous_data.status === 'pending'));
    assert.equal(deliveries[0]!.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(deliveries[0]!.headers['authorization'], undefined);

    const recorded = await eventually(async () => {
      const res = await request(h.app).get('/apps/hooked/webhook-deliveries').set(as(alice)).expect(200);
      return res.body.length >= 2 && res.body.every((d: { status: string }) => d.status === 'succeeded') && res.body;
    }, 'the deliveries recorded');
    assert.equal(recorded[0].num_attempts, 1);
    assert.equal(recorded[0].last_attempt.code, 200);
    assert.equal(recorded[0].webhook.level, 'notify');
    const events = await request(h.app).get('/apps/hooked/webhook-events').set(as(alice)).expect(200);
    assert.ok(events.body.some((e: { include: string; payload: { resource: string } }) => e.include === 'api:release' && e.payload.resource === 'release'));
    const one = await request(h.app).get(`/apps/hooked/webhook-events/${events.body[0].id}`).set(as(carol)).expect(200);
    assert.equal(one.body.id, events.body[0].id);
    await request(h.app).delete(`/apps/hooked/webhooks/${created.body.id}`).set(as(alice)).expect(200);
  });

  test('a sync delivery answered 500 is tried again with backoff and recorded; -t is sent as Authorization', async () => {
    receiver.responders.set('/sync', (_req, res, n) => {
      res.statusCode = n === 1 ? 500 : 204;
      res.end();
    });
    const created = await request(h.app)
      .post('/apps/hooked/webhooks')
      .set(as(carol))
      .send({ url: receiver.url('/sync'), include: ['api:domain'], level: 'sync', secret: 'my-own-secret', authorization: 'Bearer receiver-token' })
      .expect(201);
    assert.equal(created.body.secret, 'my-own-secret');
    await request(h.app).post('/apps/hooked/domains').set(as(alice)).send({ hostname: 'www.hooked.example' }).expect(201);
    const got = await eventually(() => receiver.at('/sync').length >= 2 && receiver.at('/sync'), 'the retried delivery', { timeoutMs: 20_000 });
    const stable = (r: Received) => {
      const b = JSON.parse(r.body);
      delete b.published_at;
      delete b.webhook_metadata.attempt;
      return b;
    };
    assert.deepEqual(stable(got[1]!), stable(got[0]!), 'the same event is sent again');
    for (const r of got) {
      assert.ok(verify('my-own-secret', r));
      assert.equal(r.headers['authorization'], 'Bearer receiver-token');
    }
    const body = JSON.parse(got[0]!.body);
    assert.equal(body.resource, 'domain');
    assert.equal(body.action, 'create');
    assert.equal(body.data.hostname, 'www.hooked.example');
    const delivery = await eventually(async () => {
      const res = await request(h.app).get(`/apps/hooked/webhook-deliveries/${body.webhook_metadata.delivery.id}`).set(as(alice)).expect(200);
      return res.body.status === 'succeeded' && res.body;
    }, 'the delivery recorded as succeeded');
    assert.equal(delivery.num_attempts, 2);
    assert.equal(delivery.last_attempt.code, 204);
    assert.equal(delivery.next_attempt_at, null);
    await request(h.app).delete(`/apps/hooked/webhooks/${created.body.id}`).set(as(alice)).expect(200);
  });

  test('a sync delivery that keeps failing stops at the attempt limit, recorded as failed with the last code', async () => {
    receiver.responders.set('/down', (_req, res) => {
      res.statusCode = 503;
      res.end('down');
    });
    const created = await request(h.app).post('/apps/hooked/webhooks').set(as(alice)).send({ url: receiver.url('/down'), include: ['api:formation'], level: 'sync' }).expect(201);
    await request(h.app).patch('/apps/hooked/formation').set(as(alice)).send({ updates: [{ type: 'worker', quantity: 1 }] }).expect(200);
    const failed = await eventually(async () => {
      const res = await request(h.app).get('/apps/hooked/webhook-deliveries').set(as(alice)).expect(200);
      return res.body.find((d: { webhook: { id: string }; status: string }) => d.webhook.id === created.body.id && d.status === 'failed');
    }, 'the delivery failed for good', { timeoutMs: 20_000 });
    assert.equal(failed.num_attempts, 3);
    assert.equal(failed.last_attempt.code, 503);
    assert.equal(receiver.at('/down').length, 3);
    assert.equal(JSON.parse(receiver.at('/down')[0]!.body).resource, 'formation');
    await request(h.app).delete(`/apps/hooked/webhooks/${created.body.id}`).set(as(alice)).expect(200);
  });

  test('a hostile receiver (silent, redirecting, endless answer) fails its delivery without stalling the others', async () => {
    const held: import('node:http').ServerResponse[] = [];
    receiver.responders.set('/silent', (_req, res) => void held.push(res));
    receiver.responders.set('/redirect', (_req, res) => {
      res.writeHead(302, { location: 'https://10.0.0.1/' });
      res.end();
    });
    receiver.responders.set('/endless', (_req, res) => {
      res.writeHead(500);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const write = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', write);
      };
      write();
    });
    const ids: Record<string, string> = {};
    for (const path of ['/silent', '/redirect', '/endless', '/fine']) {
      const res = await request(h.app).post('/apps/hooked/webhooks').set(as(alice)).send({ url: receiver.url(path), include: ['api:dyno'], level: 'notify' }).expect(201);
      ids[path] = res.body.id;
    }
    const restart = await request(h.app).delete('/apps/hooked/dynos').set(as(alice));
    assert.ok(restart.status < 300, JSON.stringify(restart.body));
    await eventually(() => receiver.at('/fine').length >= 1, 'the well-behaved receiver served', { timeoutMs: 20_000 });
    const outcome = await eventually(async () => {
      const res = await request(h.app).get('/apps/hooked/webhook-deliveries').set(as(alice)).expect(200);
      const by = (path: string) => res.body.find((d: { webhook: { id: string } }) => d.webhook.id === ids[path]);
      const all = ['/silent', '/redirect', '/endless'].map(by);
      return all.every((d) => d && d.status === 'failed') && all;
    }, 'the hostile deliveries failed', { timeoutMs: 20_000 });
    assert.match(outcome[0].last_attempt.error_class, /no answer within/);
    assert.equal(outcome[1].last_attempt.code, 302);
    assert.match(outcome[1].last_attempt.error_class, /redirects are not followed/);
    assert.equal(outcome[2].last_attempt.code, 500);
    for (const res of held) res.destroy();
    for (const id of Object.values(ids)) await request(h.app).delete(`/apps/hooked/webhooks/${id}`).set(as(alice)).expect(200);
  });

  test('another tenant can neither see nor change an app\'s webhooks', async () => {
    const created = await request(h.app).post('/apps/hooked/webhooks').set(as(alice)).send({ url: receiver.url('/private'), include: ['api:app'], level: 'notify' }).expect(201);
    const id = created.body.id as string;
    await request(h.app).get('/apps/hooked/webhooks').set(as(bob)).expect(404);
    await request(h.app).get(`/apps/hooked/webhooks/${id}`).set(as(bob)).expect(404);
    await request(h.app).patch(`/apps/hooked/webhooks/${id}`).set(as(bob)).send({ url: receiver.url('/stolen') }).expect(404);
    await request(h.app).delete(`/apps/hooked/webhooks/${id}`).set(as(bob)).expect(404);
    await request(h.app).post('/apps/hooked/webhooks').set(as(bob)).send({ url: receiver.url('/x'), include: ['api:app'], level: 'notify' }).expect(404);
    await request(h.app).get('/apps/hooked/webhook-deliveries').set(as(bob)).expect(404);
    await request(h.app).get('/apps/hooked/webhook-events').set(as(bob)).expect(404);
    // Bob's own app cannot reach Alice's webhook by id either.
    await deployedApp(h, 'bobs-app', bob.user.id);
    await request(h.app).get(`/apps/bobs-app/webhooks/${id}`).set(as(bob)).expect(404);
    await request(h.app).delete(`/apps/bobs-app/webhooks/${id}`).set(as(bob)).expect(404);
    const still = await request(h.app).get(`/apps/hooked/webhooks/${id}`).set(as(alice)).expect(200);
    assert.equal(still.body.url, receiver.url('/private'));
    // A collaborator may change it.
    const patched = await request(h.app).patch(`/apps/hooked/webhooks/${id}`).set(as(carol)).send({ level: 'sync', include: ['api:app', 'api:release'] }).expect(200);
    assert.equal(patched.body.level, 'sync');
    await request(h.app).delete(`/apps/hooked/webhooks/${id}`).set(as(carol)).expect(200);
  });

  test('bad input is a 4xx naming the field; internal destinations are refused unless the operator allows them', async () => {
    const post = (app: ApiHarness, body: unknown) => request(app.app).post('/apps/hooked/webhooks').set(as(alice)).send(body as object);
    const good = { url: 'https://hooks.example.com/x', include: ['api:release'], level: 'notify' };
    for (const [body, pattern] of [
      [{ ...good, url: 'http://hooks.example.com/x' }, /plain http/],
      [{ ...good, url: 'https://user:pw@hooks.example.com/x' }, /user name or password/],
      [{ ...good, url: 'https://10.0.0.8/x' }, /private network address/],
      [{ ...good, url: 'https://169.254.169.254/latest' }, /link-local/],
      [{ ...good, url: 'not a url' }, /url/],
      [{ ...good, include: ['api:everything'] }, /not an entity/],
      [{ ...good, include: [] }, /include/],
      [{ ...good, level: 'sometimes' }, /level/],
      [{ ...good, secret: 'short' }, /secret/],
      [{ ...good, authorization: 'Bearer x\r\nX-Evil: 1' }, /authorization/],
      [{ url: good.url }, /include/],
    ] as const) {
      const res = await post(h, body);
      assert.equal(res.status, 422, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.message, pattern, JSON.stringify(body));
    }
    // The strict guard (no operator allowance) refuses loopback.
    const sa = await strict.user('sa@example.com');
    await deployedApp(strict, 'hooked', sa.user.id);
    const loop = await request(strict.app).post('/apps/hooked/webhooks').set(as(sa)).send({ ...good, url: 'https://127.0.0.1:9/x' });
    assert.equal(loop.status, 422);
    assert.match(loop.body.message, /loopback/);
    await request(h.app).get('/apps/hooked/webhooks/not-an-id').set(as(alice)).expect(404);
    await request(h.app).patch('/apps/hooked/webhooks/00000000-0000-4000-8000-000000000000').set(as(alice)).send({ level: 'sync' }).expect(404);
    await request(h.app).patch('/apps/hooked/webhooks/00000000-0000-4000-8000-000000000000').set(as(alice)).send({}).expect(422);
    await request(h.app).get('/apps/hooked/webhook-deliveries?limit=0').set(as(alice)).expect(422);
    await request(h.app).get('/apps/hooked/webhook-deliveries/x').set(as(alice)).expect(404);
  });
});

// app.json cron against the real PostgreSQL (claims) and Redis (the app's log), with the in-memory
// runtime: two controllers' schedulers run each tick once, the output lands in the app's log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createLogger } from '@paas/shared';
import { findAppByName } from '../db/apps.js';
import { OneOffService } from './one-off-service.js';
import { CronScheduler, cronJobs } from './cron-scheduler.js';
import { createApiHarness, type ApiHarness } from '../api/test-harness.js';
import { as } from '../api/test-fixtures.js';

describe('cron', () => {
  let h: ApiHarness;
  let alice: { token: string; user: { id: string } };
  let bob: { token: string };
  let clock = new Date('2026-12-07T10:05:20Z');
  const scheduler = () =>
    new CronScheduler({
      pool: h.db.pool,
      oneOffs: new OneOffService({ pool: h.db.pool, cipher: h.access.cipher, runtime: h.runtime, log: createLogger('test', 'silent') }),
      events: h.logs.events,
      log: createLogger('test', 'silent'),
      timeoutMs: 60_000,
      now: () => clock,
    });

  before(async () => {
    h = await createApiHarness();
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
    await request(h.app).post('/apps').set(as(alice)).send({ name: 'crony' }).expect(201);
    const app = (await findAppByName(h.db.pool, 'crony'))!;
    const appJson = { cron: [{ command: 'echo every five', schedule: '*/5 * * * *' }, { command: 'echo nightly', schedule: '@daily' }] };
    await h.releases.release(app, { image: 'img:1', processTypes: { web: 'npm start' }, buildId: null, description: 'Deploy', userId: null, appJson });
  });
  after(async () => h.close());

  test('each tick runs once across two controllers; its output is in the app log', async () => {
    const [a, b] = [scheduler(), scheduler()];
    const started = (await Promise.all([a.tick(), b.tick(), a.tick()])).reduce((x, y) => x + y, 0);
    assert.equal(started, 1, 'the 10:05 tick of the */5 job, once');
    await Promise.all([a.settle(), b.settle()]);
    const runs = h.runtime.runs.filter((r) => r.app === 'crony');
    assert.deepEqual(runs.map((r) => r.command), ['echo every five']);
    const { entries } = await h.logs.store.history('crony', 50);
    const lines = entries.map((e) => e.line);
    assert.ok(lines.some((l) => /^Starting cron job [0-9a-f]{12} \(\*\/5 \* \* \* \*\): echo every five$/.test(l)), lines.join('\n'));
    assert.ok(lines.includes('echo every five'), 'the one-off output');
    assert.ok(lines.some((l) => /Cron job [0-9a-f]{12} exited with status 0/.test(l)));

    clock = new Date('2026-12-07T10:09:59Z');
    assert.equal(await a.tick(), 0, 'no tick between');
    clock = new Date('2026-12-07T10:10:01Z');
    assert.equal((await Promise.all([a.tick(), b.tick()])).reduce((x, y) => x + y, 0), 1);
    await Promise.all([a.settle(), b.settle()]);
  });

  test('paas cron lists the entries with their next and last runs; another user cannot', async () => {
    const res = await request(h.app).get('/apps/crony/cron').set(as(alice)).expect(200);
    assert.deepEqual(
      res.body.map((j: { command: string; schedule: string; last_run: { exit_code: number } | null }) => [j.command, j.schedule, j.last_run?.exit_code ?? null]),
      [
        ['echo every five', '*/5 * * * *', 0],
        ['echo nightly', '@daily', null],
      ],
    );
    assert.match(res.body[0].next_run_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
    await request(h.app).get('/apps/crony/cron').set(as(bob)).expect(404);
  });

  test('job ids are stable and skip malformed entries', () => {
    const [one] = cronJobs([{ command: 'x', schedule: '@hourly' }]);
    assert.deepEqual(cronJobs([{ command: 'x', schedule: '@hourly' }, { command: 1 }, null]), [one]);
    assert.notEqual(cronJobs([{ command: 'y', schedule: '@hourly' }])[0]?.id, one?.id);
  });
});

/**
 * PostgreSQL stopped and started again under a running platform (a private server: the shared one is
 * never touched): the controller does not die (same pid), the API answers 503 database_unavailable
 * (retryable, with Retry-After) while the database is away, a change refused then is not half-applied,
 * and the API recovers by itself once the database answers again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { startPlatform, type Platform } from '../helpers/platform.js';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';

describe('PostgreSQL restarts', { timeout: 300_000 }, () => {
  let db: PrivatePostgres;
  let p: Platform;
  let token: string;

  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: { id?: string; message?: string }; retryAfter: string | null }> => {
    const res = await fetch(`${p.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, json: (await res.json()) as { id?: string }, retryAfter: res.headers.get('retry-after') };
  };

  before(async () => {
    db = await startPrivatePostgres();
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query('CREATE DATABASE paas');
    await admin.end();
    p = await startPlatform({ supervised: true, env: { DATABASE_URL: db.url.replace(/\/postgres$/, '/paas'), PAAS_RECONCILE_INTERVAL: '2' } });
    token = (JSON.parse(await readFile(join(p.home, 'cli.json'), 'utf8')) as { token: string }).token;
  });
  after(async () => {
    await p?.stop();
    await db?.remove();
  });

  test('the API answers 503 database_unavailable while PostgreSQL is down and recovers by itself', async () => {
    const pid = await p.pid('controller');
    assert.equal((await api('POST', '/apps', { name: 'before-outage' })).status, 201);

    await db.stop();
    // The pool's connections break now; every request answers 503, none 500, and nothing hangs.
    const statuses = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const r = await api('GET', '/apps');
      statuses.add(r.status);
      assert.equal(r.status, 503, JSON.stringify(r.json));
      assert.equal(r.json.id, 'database_unavailable');
      assert.equal(r.retryAfter, '2');
    }
    const create = await api('POST', '/apps', { name: 'during-outage' });
    assert.equal(create.status, 503, JSON.stringify(create.json));
    assert.equal(create.json.id, 'database_unavailable');
    const cli = await p.paas(['apps']);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /database is unavailable/);
    // Long enough for the reconcile, the log collector and the host checks to meet the outage.
    await new Promise((r) => setTimeout(r, 5000));

    const startedAt = Date.now();
    await db.start();
    let apps: { status: number; json: unknown } | undefined;
    for (let i = 0; i < 120; i++) {
      apps = await api('GET', '/apps');
      if (apps.status === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(apps?.status, 200, JSON.stringify(apps?.json));
    console.log(`# PostgreSQL back: the API answered 200 again after ${Date.now() - startedAt} ms`);
    const names = (apps!.json as unknown as { name: string }[]).map((a) => a.name);
    assert.deepEqual(names, ['before-outage'], 'the app refused during the outage was not created');
    assert.equal((await api('POST', '/apps', { name: 'after-outage' })).status, 201);
    // The same controller process throughout: it did not die and was not restarted.
    assert.equal(await p.pid('controller'), pid);
    const status = JSON.parse((await p.paas(['admin:status', '--json'])).stdout) as { name: string; restarts: number }[];
    assert.deepEqual(status.map((c) => [c.name, c.restarts]), [['supervisor', 0], ['controller', 0], ['builder', 0], ['router', 0]]);
  });
});

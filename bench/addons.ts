/**
 * npm run bench -- addons: seconds from `POST /apps/:app/addons` (what `paas addons:create postgres`
 * and `redis` send) to a usable URL: the add-on made on the real PostgreSQL or Redis, its config var
 * set with a new release (in-memory runtime, so the release itself is not what is timed), and a
 * first query through the new URL answered.
 */
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { Redis } from 'ioredis';
import request from 'supertest';
import { createApiHarness } from '../apps/controller/src/api/test-harness.js';
import { deployedApp } from '../apps/controller/src/api/test-fixtures.js';

const runs = 10;

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): string => (s[Math.min(s.length - 1, Math.floor(q * s.length))]! / 1000).toFixed(2);
  return `median ${at(0.5)} s, p90 ${at(0.9)} s, max ${at(1)} s`;
}

export async function benchAddons(): Promise<string> {
  const h = await createApiHarness({ addons: { limits: { count: 1000, totalMb: 10_000_000 } } });
  try {
    const owner = await h.user('bench@example.com');
    const auth = { Authorization: `Bearer ${owner.token}` };
    const times: Record<'postgres' | 'redis', number[]> = { postgres: [], redis: [] };
    for (let i = 0; i < runs; i++) {
      for (const service of ['postgres', 'redis'] as const) {
        const app = `bench-${service}-${i}`;
        await deployedApp(h, app, owner.user.id);
        const start = performance.now();
        const created = await request(h.app).post(`/apps/${app}/addons`).set(auth).send({ service }).expect(201);
        const vars = (await request(h.app).get(`/apps/${app}/config-vars`).set(auth).expect(200)).body as Record<string, string>;
        const url = vars[created.body.attachments[0].config_var]!;
        if (service === 'postgres') {
          const c = new pg.Client({ connectionString: url });
          await c.connect();
          await c.query('CREATE TABLE ready (id int)');
          await c.end();
        } else {
          const r = new Redis(url, { enableReadyCheck: false, maxRetriesPerRequest: 1 });
          await r.set(`${vars['REDIS_KEY_PREFIX']}ready`, '1');
          r.disconnect();
        }
        times[service].push(performance.now() - start);
        await request(h.app).delete(`/apps/${app}/addons/${created.body.name}`).set(auth).expect(200);
      }
    }
    return [
      '## Add-ons: `addons:create` to a usable URL — `bench/addons.ts`',
      '',
      `${runs} add-ons of each kind on the shared PostgreSQL 15 and Redis 7 of this machine (${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)} at the end): the API call (role, database, grants or ACL user; the config var with a new release on the in-memory runtime), reading the URL back, then connecting with it and writing once.`,
      '',
      '| add-on | seconds to a usable URL |',
      '| --- | --- |',
      `| postgres (\`DATABASE_URL\`: CREATE TABLE through it) | ${summary(times.postgres)} |`,
      `| redis (\`REDIS_URL\`: SET of a prefixed key through it) | ${summary(times.redis)} |`,
      '',
    ].join('\n');
  } finally {
    await h.close();
  }
}

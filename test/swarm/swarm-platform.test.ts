/**
 * The whole platform on the Swarm runtime (PAAS_RUNTIME=swarm): a Docker-in-Docker manager and two
 * workers. A git push serves through the router; scale sets replicas; a release under requests fails
 * none; a rollback; a lost worker's processes are rescheduled by Swarm and serve again. The
 * machine's own engine stays out of swarm mode.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { eventually } from '@paas/test-kit';
import { commitAll, gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';
import { startSwarm, type DindSwarm } from '../helpers/dind-swarm.js';
import { steadyLoad } from '../helpers/steady-load.js';

interface Dyno {
  name: string;
  state: string;
  host: string;
  release: { version: number };
}

describe('the platform on Docker Swarm', { timeout: 900_000 }, () => {
  let p: Platform;
  let swarm: DindSwarm;
  let work: string;
  let dir: string;
  const app = `swarm-${randomBytes(3).toString('hex')}`;

  const dynos = async (): Promise<Dyno[]> => {
    const r = await p.paas(['ps', '--json', '-a', app]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as Dyno[]).filter((d) => d.name.startsWith('web.'));
  };
  const serving = async (n: number, release?: number): Promise<boolean> => {
    const ds = await dynos();
    return ds.length === n && ds.every((d) => d.state === 'up' && (release === undefined || d.release.version === release));
  };

  before(async () => {
    swarm = await startSwarm(2, 'swarmp');
    p = await startPlatform({
      env: {
        PAAS_RUNTIME: 'swarm',
        PAAS_SWARM_MANAGER: swarm.managerUrl,
        PAAS_DRAIN_SECONDS: '2',
        PAAS_STOP_GRACE: '2',
        PAAS_RECONCILE_INTERVAL: '5',
        PAAS_HOST_CHECK_INTERVAL: '1',
      },
    });
    work = await mkdtemp(join(tmpdir(), 'paas-swarm-'));
  });
  after(async () => {
    await p?.stop();
    await swarm?.remove();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('a push runs web as the Swarm service <app>-web and serves through the router', async () => {
    assert.equal((await p.paas(['apps:create', app])).code, 0);
    dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/hello-express'), dir, { recursive: true });
    await gitRepo(dir);
    assert.equal((await p.paas(['git:remote', '-a', app], { cwd: dir })).code, 0);
    const pushed = await gitPush(p, dir);
    assert.equal(pushed.code, 0, pushed.output);
    const r = await p.get(app);
    assert.equal(r.status, 200, r.body);
    assert.match(r.body, /hello from paas v1 \(web\.1/);
    const services = await swarm.manager.docker.listServices({ filters: { name: [`${app}-web`] } });
    assert.equal(services.length, 1);
    assert.equal(services[0]!.Spec?.Labels?.['paas.app'], app);
    const ds = await dynos();
    assert.deepEqual(ds.map((d) => [d.name, d.state]), [['web.1', 'up']]);
    assert.ok(swarm.nodes.some((n) => n.name === ds[0]!.host), `ps names the node: ${ds[0]!.host}`);
  });

  test('scale web=3 sets the replicas; Swarm spreads them and each serves', async () => {
    const scaled = await p.paas(['scale', 'web=3', '-a', app]);
    assert.equal(scaled.code, 0, scaled.stderr);
    await eventually(() => serving(3), 'three web processes up', { timeoutMs: 120_000, intervalMs: 500, detail: () => p.logs() });
    const services = await swarm.manager.docker.listServices({ filters: { name: [`${app}-web`] } });
    assert.equal(services[0]!.Spec?.Mode?.Replicated?.Replicas, 3);
    assert.ok(new Set((await dynos()).map((d) => d.host)).size >= 2, 'on more than one node');
    const seen = new Set<string>();
    await eventually(
      async () => {
        seen.add(/\((web\.\d)/.exec((await p.get(app)).body)?.[1] ?? '');
        return ['web.1', 'web.2', 'web.3'].every((n) => seen.has(n));
      },
      'answers from web.1, web.2 and web.3',
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  });

  test('a release under continuous requests (10 s) fails none of them', async () => {
    const load = steadyLoad(() => p.get(app), { pauseMs: 20 });
    const index = join(dir, 'index.js');
    await writeFile(index, (await readFile(index, 'utf8')).replace('hello from paas v1', 'hello from paas v2'));
    await commitAll(dir, 'v2');
    const pushed = await gitPush(p, dir);
    await new Promise((r) => setTimeout(r, 10_000));
    const { requests, failed } = await load.stop();
    assert.equal(pushed.code, 0, pushed.output);
    assert.equal(failed, 0, `${failed} of ${requests} requests failed`);
    assert.ok(requests > 20, `requests during the release: ${requests}`);
    assert.match((await p.get(app)).body, /hello from paas v2/);
    await eventually(() => serving(3, 2), 'three web processes of v2', { timeoutMs: 60_000, intervalMs: 500 });
  });

  test('rollback v1 rolls the service back and serves v1', async () => {
    const rolled = await p.paas(['rollback', 'v1', '-a', app]);
    assert.equal(rolled.code, 0, rolled.stderr);
    await eventually(async () => /hello from paas v1/.test((await p.get(app)).body), 'v1 serving again', { timeoutMs: 120_000, intervalMs: 500, detail: () => p.logs() });
  });

  test('a lost worker: Swarm reschedules its processes and the app serves from the others', async () => {
    const before = await dynos();
    const victim = swarm.workers.find((w) => before.some((d) => d.host === w.name));
    assert.ok(victim, `a worker runs a web process: ${JSON.stringify(before)}`);
    await victim.kill();
    await eventually(
      async () => {
        const ds = await dynos();
        return ds.length === 3 && ds.every((d) => d.state === 'up' && d.host !== victim.name);
      },
      'the lost processes running on the other nodes',
      { timeoutMs: 180_000, intervalMs: 500, detail: () => p.logs() },
    );
    await eventually(
      async () => {
        for (let i = 0; i < 6; i++) if ((await p.get(app)).status !== 200) return false;
        return true;
      },
      'the app serving from the other nodes',
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  });
});

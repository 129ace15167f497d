/**
 * The scheduler across real Docker engines: the local one and two Docker-in-Docker hosts. Spread,
 * zero failed requests during a release under load, host loss, drain and remove.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { commitAll, gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';
import { removeDindHosts, startDindHosts, type DindHost } from '../helpers/dind.js';
import { eventually } from '@paas/test-kit';

interface Dyno {
  name: string;
  state: string;
  host: string;
  release: { version: number };
}

describe('scheduling across Docker hosts', { timeout: 1_200_000 }, () => {
  let p: Platform;
  let hosts: DindHost[] = [];
  let work: string;
  const app = `spread-${randomBytes(3).toString('hex')}`;
  let dir: string;

  const dynos = async (): Promise<Dyno[]> => {
    const r = await p.paas(['ps', '--json', '-a', app]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Dyno[];
  };
  before(async () => {
    hosts = await startDindHosts(2, 'sched');
    p = await startPlatform({ env: { PAAS_HOST_CHECK_INTERVAL: '1', PAAS_RECONCILE_INTERVAL: '3', PAAS_DRAIN_SECONDS: '1', PAAS_STOP_GRACE: '1' } });
    work = await mkdtemp(join(tmpdir(), 'paas-sched-'));
  });
  after(async () => {
    await p?.stop();
    await removeDindHosts(hosts);
    await rm(work, { recursive: true, force: true });
  });

  test('hosts are added after their engine answers; a URL that is not Docker is refused', async () => {
    for (const h of hosts) {
      const added = await p.paas(['hosts:add', h.name, '--docker', h.dockerUrl, '--address', h.address, '--insecure']);
      assert.equal(added.code, 0, added.stderr);
    }
    const bad = await p.paas(['hosts:add', 'nowhere', '--docker', 'tcp://127.0.0.1:9', '--address', '127.0.0.1']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /does not answer as a Docker engine/);
    const list = JSON.parse((await p.paas(['hosts', '--json'])).stdout) as { name: string; status: string }[];
    assert.deepEqual(list.map((h) => h.status), ['up', 'up', 'up']);
  });

  test('scale spreads web processes over the hosts and the app serves from all of them', async () => {
    assert.equal((await p.paas(['apps:create', app])).code, 0);
    dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/hello-express'), dir, { recursive: true });
    await gitRepo(dir);
    assert.equal((await p.paas(['git:remote', '-a', app], { cwd: dir })).code, 0);
    const pushed = await gitPush(p, dir);
    assert.equal(pushed.code, 0, pushed.output);
    const scaled = await p.paas(['scale', 'web=3', '-a', app]);
    assert.equal(scaled.code, 0, scaled.stderr);
    const ds = await dynos();
    assert.equal(ds.length, 3);
    assert.equal(new Set(ds.map((d) => d.host)).size, 3, `one per host: ${JSON.stringify(ds)}`);
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) seen.add(/\((web\.\d)/.exec((await p.get(app)).body)?.[1] ?? '');
    assert.deepEqual([...seen].sort(), ['web.1', 'web.2', 'web.3']);
  });

  test('a release under continuous requests fails none of them', async () => {
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const load = (async () => {
      while (!stop) {
        try {
          const r = await p.get(app);
          if (r.status === 200) ok++;
          else failures.push(`${r.status} ${r.body.slice(0, 80)}`);
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    })();
    const index = join(dir, 'index.js');
    await writeFile(index, (await readFile(index, 'utf8')).replace('hello from paas v1', 'hello from paas v2'));
    await commitAll(dir, 'v2');
    const pushed = await gitPush(p, dir);
    await new Promise((r) => setTimeout(r, 3000)); // past the drain of the old processes
    stop = true;
    await load;
    assert.equal(pushed.code, 0, pushed.output);
    assert.deepEqual(failures, []);
    assert.ok(ok > 20, `requests served during the release: ${ok}`);
    assert.match((await p.get(app)).body, /hello from paas v2/);
  });

  test('a lost host: its processes are placed on the others and the app keeps serving', async () => {
    const victim = hosts[0]!;
    const before = await dynos();
    assert.ok(before.some((d) => d.host === victim.name));
    await victim.kill();
    await eventually(
      async () => {
        const ds = await dynos();
        return ds.length === 3 && ds.every((d) => d.host !== victim.name && d.state === 'up');
      },
      'replacement of the lost processes',
      { timeoutMs: 90_000, intervalMs: 500, detail: () => p.logs() },
    );
    const list = JSON.parse((await p.paas(['hosts', '--json'])).stdout) as { name: string; status: string }[];
    assert.equal(list.find((h) => h.name === victim.name)?.status, 'down');
    for (let i = 0; i < 6; i++) assert.equal((await p.get(app)).status, 200);
  });

  test('drain moves processes away; remove is refused while processes run, and for the last host', async () => {
    const target = hosts[1]!;
    const drained = await p.paas(['hosts:drain', target.name]);
    assert.equal(drained.code, 0, drained.stderr);
    await eventually(async () => (await dynos()).every((d) => d.host !== target.name), 'processes to leave the drained host', { timeoutMs: 60_000, intervalMs: 500, detail: () => p.logs() });
    assert.equal((await dynos()).length, 3);
    assert.equal((await p.get(app)).status, 200);
    // The dynos API shows the current release's processes only: one of an older release may still be
    // stopping there (its drain), and remove is refused until it is gone.
    let removed = await p.paas(['hosts:remove', target.name]);
    for (let i = 0; i < 60 && removed.code !== 0 && /runs \d+ processes/.test(removed.stderr); i++) {
      await new Promise((r) => setTimeout(r, 1000));
      removed = await p.paas(['hosts:remove', target.name]);
    }
    assert.equal(removed.code, 0, removed.stderr);
    const lastAlive = await p.paas(['hosts:remove', 'local']);
    assert.notEqual(lastAlive.code, 0);
    assert.match(lastAlive.stderr, /runs \d+ processes|last host/);
  });
});

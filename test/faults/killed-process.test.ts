/**
 * A web process killed from outside (`docker kill`, as an OOM killer or a careless admin does) is not
 * restarted by the engine's restart policy: the controller replaces it as soon as the engine reports
 * the death (its events), and the reconcile would within PAAS_RECONCILE_INTERVAL; `paas ps` shows it
 * up again, not `crashed` for ever. A container removed by hand is started again by the reconcile.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';

interface Dyno {
  name: string;
  state: string;
}

/** One platform (its reconcile every `reconcileSeconds`) with a deployed app of two web processes. */
function selfHealing(title: string, reconcileSeconds: string, tests: (ctx: { kill: () => Promise<void>; remove: () => Promise<void> }) => void): void {
  describe(title, { timeout: 600_000 }, () => {
    let p: Platform;
    let work: string;
    const docker = new Docker();
    const app = `healing-${randomBytes(3).toString('hex')}`;

    const container = async (name: string): Promise<Docker.ContainerInfo | undefined> => {
      const labels = [`paas.cluster=${p.cluster}`, `paas.app=${app}`, `paas.process=${name}`];
      return (await docker.listContainers({ all: true, filters: { label: labels } }))[0];
    };
    const dynos = async (): Promise<Dyno[]> => {
      const r = await p.paas(['ps', '--json', '-a', app]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as Dyno[];
    };
    /** Waits until web.1 runs in a container other than `old` and `paas ps` shows it up; the ms it took. */
    const replaced = async (old: string, since: number): Promise<number> => {
      for (let i = 0; i < 120; i++) {
        const c = await container('web.1');
        if (c && c.Id !== old && c.State === 'running' && (await dynos()).find((d) => d.name === 'web.1')?.state === 'up') return Date.now() - since;
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.fail(`web.1 was not replaced:\n${JSON.stringify(await dynos())}\n${await p.logs()}`);
    };

    before(async () => {
      p = await startPlatform({ env: { PAAS_RECONCILE_INTERVAL: reconcileSeconds, PAAS_STOP_GRACE: '1', PAAS_DRAIN_SECONDS: '0' } });
      work = await mkdtemp(join(tmpdir(), 'paas-healing-'));
      assert.equal((await p.paas(['apps:create', app])).code, 0);
      const dir = join(work, 'app');
      await cp(join(repoRoot, 'test/fixtures/static-site'), dir, { recursive: true });
      await gitRepo(dir);
      assert.equal((await p.paas(['git:remote', '-a', app], { cwd: dir })).code, 0);
      const pushed = await gitPush(p, dir);
      assert.equal(pushed.code, 0, pushed.output);
      assert.equal((await p.paas(['scale', 'web=2', '-a', app])).code, 0);
    });
    after(async () => {
      await p?.stop();
      await rm(work, { recursive: true, force: true });
    });

    const kill = async (): Promise<void> => {
      const before = (await container('web.1'))!;
      assert.equal(before.State, 'running');
      const killedAt = Date.now();
      await docker.getContainer(before.Id).kill();
      const ms = await replaced(before.Id, killedAt);
      console.log(`# docker kill web.1 (${title}): replaced and up in paas ps after ${ms} ms`);
      // The killed container is gone, not left beside its replacement.
      assert.equal((await docker.listContainers({ all: true, filters: { id: [before.Id] } })).length, 0);
      assert.deepEqual((await dynos()).map((d) => [d.name, d.state]).sort(), [['web.1', 'up'], ['web.2', 'up']]);
      assert.equal((await p.get(app)).status, 200);
    };
    const remove = async (): Promise<void> => {
      const before = (await container('web.1'))!;
      const removedAt = Date.now();
      await docker.getContainer(before.Id).remove({ force: true });
      const ms = await replaced(before.Id, removedAt);
      console.log(`# docker rm -f web.1 (${title}): replaced and up in paas ps after ${ms} ms`);
      assert.equal((await p.get(app)).status, 200);
    };
    tests({ kill, remove });
  });
}

// The periodic reconcile is an hour away: only the engine's event can bring web.1 back.
selfHealing('self-healing processes: the engine event', '3600', ({ kill }) => {
  test('a web process killed with docker kill is replaced on the engine event and paas ps shows it up', kill);
});

selfHealing('self-healing processes: the reconcile', '2', ({ remove }) => {
  test('a web process whose container is removed by hand is started again by the reconcile', remove);
});

/**
 * The controller SIGKILLed in the middle of a deploy (its new release's web process still booting),
 * under the supervisor as `npm run up` runs it: the app keeps serving the release before through the
 * router (no failed request), the supervisor starts a new controller, which leaves the deploy's
 * processes alone while its lease lives (it may be a second, live controller's), then, once the
 * lease has run out, rolls the deploy back: the release is marked failed and its processes stop.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { gitPush, gitRepo, startPlatform, type Platform } from '../helpers/platform.js';
import { steadyLoad } from '../helpers/steady-load.js';
import { eventually } from '@paas/test-kit';

describe('controller killed mid-deploy', { timeout: 600_000 }, () => {
  let p: Platform;
  let work: string;
  const docker = new Docker();
  const app = `lostdeploy-${randomBytes(3).toString('hex')}`;

  const webOf = async (release: number): Promise<Docker.ContainerInfo[]> =>
    docker.listContainers({ filters: { label: [`paas.cluster=${p.cluster}`, `paas.app=${app}`, `paas.release=${release}`] } });

  before(async () => {
    p = await startPlatform({ supervised: true, env: { PAAS_RECONCILE_INTERVAL: '3', PAAS_BOOT_TIMEOUT: '240' } });
    work = await mkdtemp(join(tmpdir(), 'paas-lostdeploy-'));
    const dir = join(work, 'app');
    await mkdir(dir);
    // With SLOW set the web process never listens: its deploy waits for it for the boot timeout.
    await writeFile(
      join(dir, 'Dockerfile'),
      [
        'FROM paas/run:bookworm',
        'RUN mkdir -p /srv/www && echo "release one" >/srv/www/index.html',
        'COPY start.sh /start.sh',
        'EXPOSE 8080',
        'CMD ["/start.sh"]',
        '',
      ].join('\n'),
    );
    await writeFile(join(dir, 'start.sh'), '#!/bin/sh\nif [ -n "$SLOW" ]; then exec sleep 600; fi\nexec busybox httpd -f -p 8080 -h /srv/www\n', { mode: 0o755 });
    await gitRepo(dir);
    assert.equal((await p.paas(['apps:create', app])).code, 0);
    assert.equal((await p.paas(['git:remote', '-a', app], { cwd: dir })).code, 0);
    const pushed = await gitPush(p, dir);
    assert.equal(pushed.code, 0, pushed.output);
  });
  after(async () => {
    await p?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('the app keeps serving, and the deploy is rolled back once its lease runs out', async () => {
    assert.equal((await p.get(app)).status, 200);
    const load = steadyLoad(() => p.get(app), { ok: (r) => r.status === 200 && (r.body ?? '').includes('release one') });
    let counted = { requests: 0, failed: 0 };
    try {
      // config:set makes release 2 and deploys it; its web process never listens.
      const deploy = p.paas(['config:set', 'SLOW=1', '-a', app]);
      await eventually(async () => ((await webOf(2)).length > 0 ? true : undefined), 'release 2 booting', { timeoutMs: 120_000, intervalMs: 250, detail: () => p.logs() });
      const controller = (await p.pid('controller'))!;
      process.kill(controller, 'SIGKILL');
      const killedAt = Date.now();
      const cli = await deploy;
      assert.notEqual(cli.code, 0, 'the deploy the killed controller ran did not succeed');
      await eventually(async () => {
        const pid = await p.pid('controller');
        return pid && pid !== controller && (await fetch(`${p.apiUrl}/health`)).ok ? true : undefined;
      }, 'a new controller', { timeoutMs: 60_000, intervalMs: 250, detail: () => p.logs() });
      // Its lease (30 s) runs out; the sweep (every reconcile interval) rolls the deploy back.
      await eventually(async () => ((await webOf(2)).length === 0 ? true : undefined), 'release 2 rolled back', { timeoutMs: 120_000, intervalMs: 250, detail: () => p.logs() });
      console.log(`# controller SIGKILLed mid-deploy: rolled back after ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
      const releases = JSON.parse((await p.paas(['releases', '--json', '-a', app])).stdout) as { version: number; status: string }[];
      assert.equal(releases.find((r) => r.version === 2)?.status, 'failed', JSON.stringify(releases));
      assert.equal((await webOf(1)).length, 1, 'release 1 still runs');
    } finally {
      counted = await load.stop();
    }
    const { requests, failed } = counted;
    console.log(`# ${requests} requests through the router while the controller died and the deploy was rolled back, ${failed} failed`);
    assert.equal(failed, 0, `${failed} of ${requests} requests failed`);
  });
});

/**
 * Two routers on one route store (the documented set-up: docs/operations.md, "Two routers"): one is
 * SIGKILLed under load and started again. Clients of the surviving router see no error throughout;
 * the restarted router loads its table before it accepts connections, so its first answer for the
 * app is the app, never a 404 from an empty table.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from '@paas/test-kit';
import { gitPush, gitRepo, httpGet, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';
import { steadyLoad } from '../helpers/steady-load.js';

describe('a router restarted under load, with a second router', { timeout: 600_000 }, () => {
  let p: Platform;
  let work: string;
  let second: ChildProcess | undefined;
  let secondPort = 0;
  let secondOutput = '';
  const app = `tworouters-${randomBytes(3).toString('hex')}`;

  const startSecond = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, [join(repoRoot, 'apps', 'router', 'dist', 'main.js')], {
      env: { ...p.env, PAAS_ROUTER_PORT: String(secondPort), PAAS_ROUTER_TLS_PORT: String(await freePort()), PAAS_ROUTER_WORKERS: '1', PAAS_ROUTER_INTERNAL_PORT: String(await freePort()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b: Buffer): void => {
      secondOutput = (secondOutput + b.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    return child;
  };
  const stopSecond = async (signal: NodeJS.Signals): Promise<void> => {
    const c = second;
    second = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  };

  before(async () => {
    p = await startPlatform();
    work = await mkdtemp(join(tmpdir(), 'paas-tworouters-'));
    const dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/static-site'), dir, { recursive: true });
    await gitRepo(dir);
    assert.equal((await p.paas(['apps:create', app])).code, 0);
    assert.equal((await p.paas(['git:remote', '-a', app], { cwd: dir })).code, 0);
    const pushed = await gitPush(p, dir);
    assert.equal(pushed.code, 0, pushed.output);
    secondPort = await freePort();
    second = await startSecond();
    for (let i = 0; i < 240; i++) {
      if ((await httpGet(secondPort, `${app}.localhost`, '/').catch(() => ({ status: 0 }))).status === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal((await httpGet(secondPort, `${app}.localhost`, '/')).status, 200, secondOutput);
  });
  after(async () => {
    await stopSecond('SIGKILL');
    await p?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('clients of the surviving router see no error; the restarted one answers from a loaded table', async () => {
    const load = steadyLoad(() => p.get(app), { pauseMs: 20 });
    let counted = { requests: 0, failed: 0 };
    try {
      await new Promise((r) => setTimeout(r, 500));
      await stopSecond('SIGKILL');
      second = await startSecond();
      // From the moment it accepts a connection, every answer is the app: connections refused before
      // it listens are fine (a balancer in front skips it), a 404 from an empty table is not.
      const answers: number[] = [];
      for (let i = 0; i < 2000 && answers.length < 20; i++) {
        const r = await httpGet(secondPort, `${app}.localhost`, '/').catch(() => undefined);
        if (r) answers.push(r.status);
        else await new Promise((res) => setTimeout(res, 10));
      }
      assert.ok(answers.length >= 20, `the restarted router did not answer:\n${secondOutput}`);
      assert.deepEqual([...new Set(answers)], [200], `the restarted router's first answers: ${answers.join(',')}`);
    } finally {
      counted = await load.stop();
    }
    const { requests, failed } = counted;
    console.log(`# ${requests} requests through the surviving router while the other was killed and restarted, ${failed} failed`);
    assert.equal(failed, 0, `${failed} of ${requests} requests failed`);
  });
});

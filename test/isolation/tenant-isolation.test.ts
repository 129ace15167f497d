/**
 * Issue 14, items 1 and 3 on a whole platform: an "attacker" app (test/fixtures/attacker) tries what a
 * hostile tenant would, against a second app, the platform's API and the host; a fork bomb meets the
 * PID limit while the other app keeps answering; a Dockerfile app whose image is root and claims the
 * platform's labels runs unprivileged as the app it was pushed to. Every target is one the test or
 * the platform runs on this machine.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { appNetworkName } from '@paas/shared';
import { gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';

const docker = new Docker();

describe('tenants cannot touch each other', { timeout: 900_000 }, () => {
  let p: Platform;
  let work: string;
  const suffix = randomBytes(3).toString('hex');
  const attacker = `attacker-${suffix}`;
  const victim = `victim-${suffix}`;
  const rooted = `rooted-${suffix}`;

  async function deploy(app: string, fixture: string): Promise<string> {
    const created = await p.paas(['apps:create', app]);
    assert.equal(created.code, 0, created.stderr);
    const dir = join(work, app);
    await cp(join(repoRoot, 'test/fixtures', fixture), dir, { recursive: true });
    await gitRepo(dir);
    const remote = await p.paas(['git:remote', '-a', app], { cwd: dir });
    assert.equal(remote.code, 0, remote.stderr);
    const pushed = await gitPush(p, dir);
    assert.equal(pushed.code, 0, `${pushed.output}\n${await p.logs()}`);
    return pushed.output;
  }

  /** The app's web.1 container: its address and port on the app's network, and the network's gateway. */
  async function web(app: string): Promise<{ id: string; ip: string; gateway: string; port: number }> {
    const [c] = await docker.listContainers({ filters: { label: [`paas.cluster=${p.cluster}`, `paas.app=${app}`, 'paas.role=process'] } });
    assert.ok(c, `${app} runs`);
    const info = await docker.getContainer(c.Id).inspect();
    const net = info.NetworkSettings.Networks[appNetworkName(p.cluster, app)];
    assert.ok(net, `${app} is on its own network`);
    const port = Number(info.Config.Env.find((e) => e.startsWith('PORT='))!.slice(5));
    return { id: c.Id, ip: net.IPAddress, gateway: net.Gateway, port };
  }

  async function ask<T>(app: string, path: string): Promise<T> {
    const res = await p.get(app, path);
    assert.equal(res.status, 200, res.body);
    return JSON.parse(res.body) as T;
  }

  before(async () => {
    // The API on every address of the host, as an operator might set it: only the firewall keeps apps from it.
    p = await startPlatform({ env: { PAAS_API_HOST: '0.0.0.0', PAAS_FIREWALL: 'on' } });
    work = await mkdtemp(join(tmpdir(), 'paas-isolation-'));
    await deploy(attacker, 'attacker');
    await deploy(victim, 'attacker');
  });
  after(async () => {
    if (process.exitCode) console.log(await p?.logs());
    await p?.stop();
    await rm(work, { recursive: true, force: true });
  });

  test("the attacker's process has no capability, no way to gain one, and is not root", async () => {
    const s = await ask<{ Uid: string; CapEff: string; NoNewPrivs: string }>(attacker, '/status');
    assert.equal(s.CapEff, '0000000000000000');
    assert.equal(s.NoNewPrivs, '1');
    assert.notEqual(s.Uid.split(/\s+/)[0], '0');
  });

  test("another app's container is out of reach; the app's own is not", async () => {
    const own = await web(attacker);
    const other = await web(victim);
    assert.notEqual(own.gateway, other.gateway, 'each app has a network of its own');
    assert.equal((await ask<{ result: string }>(attacker, `/connect?host=${own.ip}&port=${own.port}`)).result, 'ok');
    assert.notEqual((await ask<{ result: string }>(attacker, `/connect?host=${other.ip}&port=${other.port}`)).result, 'ok');
  });

  test("the controller's API, listening on every address, is out of reach through the network's gateway", async () => {
    const { gateway } = await web(attacker);
    const apiPort = Number(new URL(p.apiUrl).port);
    const health = await fetch(`http://${gateway}:${apiPort}/health`);
    assert.equal(health.status, 200, 'the API answers at that address from the host');
    assert.notEqual((await ask<{ result: string }>(attacker, `/connect?host=${gateway}&port=${apiPort}`)).result, 'ok');
  });

  test('a fork bomb stops at the PID limit while another app keeps answering', async (t) => {
    const bomb = p.get(attacker, '/spawn?count=2000');
    // the other app answers while the attacker's container is at its limit (and after)
    const during = await p.get(victim, '/');
    assert.equal(during.status, 200);
    const res = await bomb;
    assert.equal(res.status, 200, res.body);
    const { started, error } = JSON.parse(res.body) as { started: number; error: string | null };
    assert.equal(error, 'EAGAIN', `the kernel refused a process (${started} started)`);
    assert.ok(started < 512, `${started} processes started, under the 512 limit`);
    t.diagnostic(`${started} processes started before the kernel refused one`);
    assert.equal((await p.get(victim, '/')).status, 200);
  });

  test("a Dockerfile app whose image is root runs unprivileged, and its LABEL paas.* changes nothing", async () => {
    const output = await deploy(rooted, 'dockerfile-root');
    assert.match(output, /Ignoring the image's [^\n]*paas\.role[^\n]*: paas\.\* labels are the platform's/);
    assert.match(output, /Ignoring the image's [^\n]*paas\.memory/);
    const page = await p.get(rooted, '/cgi-bin/status');
    assert.equal(page.status, 200, page.body);
    assert.match(page.body, /^Uid:\s+10000\s/m);
    assert.match(page.body, /^CapEff:\s+0000000000000000$/m);
    assert.match(page.body, /^NoNewPrivs:\s+1$/m);
    const { id } = await web(rooted);
    const labels = (await docker.getContainer(id).inspect()).Config.Labels;
    assert.equal(labels['paas.app'], rooted);
    assert.equal(labels['paas.role'], 'process');
    const ps = await p.paas(['ps', '-a', rooted, '--json']);
    assert.equal(ps.code, 0, ps.stderr);
    assert.match(ps.stdout, /web\.1/);
    const other = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${p.cluster}`, 'paas.app=other'] } });
    assert.deepEqual(other, []);
  });
});

/**
 * Issue 14, item 2 on a whole platform: two apps of one owner (the attacker fixture, which fetches a
 * URL on request from inside its container). The caller resolves the target's internal name
 * (`<app>.internal`, an /etc/hosts entry at its network's gateway) and reaches the router's internal
 * listener there; the router answers for the target only while its owner allows the caller
 * (`paas network:allow`), and refuses with a 403 and a line of text before and after.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import Docker from 'dockerode';
import { gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';

const docker = new Docker();

describe('apps reach each other only by internal names their owner allows', { timeout: 900_000 }, () => {
  let p: Platform;
  let work: string;
  const suffix = randomBytes(3).toString('hex');
  const caller = `caller-${suffix}`;
  const target = `target-${suffix}`;
  let internalUrl: string;

  async function deploy(app: string): Promise<void> {
    const created = await p.paas(['apps:create', app]);
    assert.equal(created.code, 0, created.stderr);
    const dir = join(work, app);
    await cp(join(repoRoot, 'test/fixtures/attacker'), dir, { recursive: true });
    await gitRepo(dir);
    const remote = await p.paas(['git:remote', '-a', app], { cwd: dir });
    assert.equal(remote.code, 0, remote.stderr);
    const pushed = await gitPush(p, dir);
    assert.equal(pushed.code, 0, `${pushed.output}\n${await p.logs()}`);
  }

  /**
   * What the caller's process gets fetching `url`. A connection that does not open is tried again
   * for a while: on a machine shared with other platforms' tests, another controller may rewrite the
   * host firewall's chain before this platform's next check puts its lease back (host-firewall.ts).
   */
  async function fetchFromCaller(url: string): Promise<{ status?: number; body?: string; error?: string }> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const res = await p.get(caller, `/fetch?url=${encodeURIComponent(url)}`);
      assert.equal(res.status, 200, res.body);
      const got = JSON.parse(res.body) as { status?: number; body?: string; error?: string };
      if (!['ETIMEDOUT', 'ECONNREFUSED', 'ECONNRESET'].includes(got.error ?? '') || Date.now() > deadline) return got;
    }
  }

  before(async () => {
    p = await startPlatform({ env: { PAAS_FIREWALL: 'on', PAAS_RECONCILE_INTERVAL: '3' } });
    work = await mkdtemp(join(tmpdir(), 'paas-discovery-'));
    await deploy(target);
    await deploy(caller);
    internalUrl = `http://${target}.internal:${p.env['PAAS_ROUTER_INTERNAL_PORT']}/`;
  });
  after(async () => {
    if (process.exitCode) console.log(await p?.logs());
    await p?.stop();
    await rm(work, { recursive: true, force: true });
  });

  test("the caller's containers resolve the internal names of its owner's apps to their network's gateway", async () => {
    const [c] = await docker.listContainers({ filters: { label: [`paas.cluster=${p.cluster}`, `paas.app=${caller}`, 'paas.role=process'] } });
    assert.ok(c);
    const info = await docker.getContainer(c.Id).inspect();
    const gateway = Object.values(info.NetworkSettings.Networks)[0]!.Gateway;
    assert.deepEqual(info.HostConfig.ExtraHosts, [`${target}.internal:${gateway}`]);
  });

  test("not allowed by default, not even between one owner's apps: a 403 saying how to allow it", async () => {
    const res = await fetchFromCaller(internalUrl);
    assert.equal(res.status, 403, JSON.stringify(res));
    assert.equal(res.body, `refused: app ${caller} may not reach ${target}.internal (the owner of ${target} can allow it: paas network:allow ${caller} -a ${target})\n`);
  });

  test('once allowed, the internal name answers from the target; after a deny it is refused again', async () => {
    const allowed = await p.paas(['network:allow', caller, '-a', target]);
    assert.equal(allowed.code, 0, allowed.stderr);
    const listed = await p.paas(['network', '-a', target, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as { source: string }[]).map((r) => r.source), [caller]);

    const ok = await fetchFromCaller(internalUrl);
    assert.equal(ok.status, 200, JSON.stringify(ok));
    assert.deepEqual(JSON.parse(ok.body!), { app: 'web.1', ok: true });
    // the target's container answered, not the caller's
    const who = await fetchFromCaller(`${internalUrl}whoami`);
    assert.equal(who.status, 200);
    const [t] = await docker.listContainers({ filters: { label: [`paas.cluster=${p.cluster}`, `paas.app=${target}`, 'paas.role=process'] } });
    assert.equal((JSON.parse(who.body!) as { hostname: string }).hostname, (await docker.getContainer(t!.Id).inspect()).Config.Hostname);

    const denied = await p.paas(['network:deny', caller, '-a', target]);
    assert.equal(denied.code, 0, denied.stderr);
    const refused = await fetchFromCaller(internalUrl);
    assert.equal(refused.status, 403, JSON.stringify(refused));
    assert.match(refused.body!, /may not reach/);
    const again = await p.paas(['network:deny', caller, '-a', target]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /is not allowed to reach/);
  });

  test('from the host (no app network), the internal listener refuses every name', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: Number(p.env['PAAS_ROUTER_INTERNAL_PORT']), path: '/', headers: { host: `${target}.internal` } }, (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    assert.equal(res.status, 403);
    assert.match(res.body, /is not an app of this platform/);
  });
});

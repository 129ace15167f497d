import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server } from 'node:net';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { appNetworkName, buildNetworkName, createLogger, defaultNetworkPool, ensureBridgeNetwork, sleep } from '@paas/shared';
import { DockerHostBackend } from './docker-host-backend.js';
import { applyFirewall, firewallRules, leaseTtlMs, localIptables, parseLeases } from './host-firewall.js';
import { oneOffIo, oneOffSpec } from './one-off.contract.js';

const exec = promisify(execFile);
const image = 'paas/run:bookworm';

test('the rules: own bridge only, no other Docker network, no link-local, no blocked address, no host port but the allowed', () => {
  const rules = firewallRules({ blocked: ['10.0.0.2', '127.0.0.1', '192.168.5.0/24'], allowedHostPorts: [7070] });
  assert.match(rules, /^-A PAAS-FORWARD -i paas\+ -o paas\+ -m physdev --physdev-is-bridged -j RETURN$/m);
  assert.match(rules, /^-A PAAS-FORWARD -i paas\+ -o paas\+ -j DROP$/m);
  assert.match(rules, /^-A PAAS-FORWARD -i paas\+ -o br-\+ -j DROP$/m);
  assert.match(rules, /^-A PAAS-FORWARD -i paas\+ -d 169\.254\.0\.0\/16 -j DROP$/m);
  assert.match(rules, /^-A PAAS-FORWARD -i paas\+ -d 10\.0\.0\.2 -j DROP$/m);
  assert.match(rules, /^-A PAAS-FORWARD -i paas\+ -d 192\.168\.5\.0\/24 -j DROP$/m);
  assert.doesNotMatch(rules, /127\.0\.0\.1/);
  assert.match(rules, /^-A PAAS-INPUT -p tcp --dport 7070 -j RETURN\n-A PAAS-INPUT -j DROP$/m);
});

test("add-on servers: their one port is let through before the blocked addresses; names, loopback and bad ports are not", () => {
  const rules = firewallRules({
    blocked: ['10.0.0.2'],
    allowedHostPorts: [],
    allowedServices: [
      { address: '10.0.0.2', port: 5432 },
      { address: '172.17.0.1', port: 6379 },
      { address: '172.17.0.1', port: 6379 },
      { address: '127.0.0.1', port: 5432 },
      { address: 'db.internal', port: 5432 },
      { address: '169.254.169.254', port: 80 },
      { address: '10.0.0.3', port: 70000 },
    ],
  });
  assert.match(rules, /^-A PAAS-FORWARD -i paas\+ -d 10\.0\.0\.2 -p tcp --dport 5432 -j RETURN\n(.*\n)*-A PAAS-FORWARD -i paas\+ -d 10\.0\.0\.2 -j DROP$/m);
  assert.match(rules, /^-A PAAS-INPUT -d 172\.17\.0\.1 -p tcp --dport 6379 -j RETURN\n-A PAAS-INPUT -j DROP$/m);
  assert.equal(rules.match(/--dport 6379 -j RETURN/g)?.length, 2, 'once in each chain');
  for (const absent of ['127.0.0.1', 'db.internal', '169.254.169.254 -p', '70000']) assert.ok(!rules.includes(absent), absent);
});

test("a platform's own ports are leases: renewed at each rewrite, other clusters' fresh leases kept, stale ones dropped", () => {
  const now = 1_800_000_000_000;
  const listing = [
    '-N PAAS-INPUT',
    '-A PAAS-INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
    `-A PAAS-INPUT -p tcp -m tcp --dport 6001 -m comment --comment "paas-lease other ${now / 1000 - 60}" -j RETURN`,
    `-A PAAS-INPUT -p tcp -m tcp --dport 6002 -m comment --comment "paas-lease gone ${now / 1000 - leaseTtlMs / 1000 - 1}" -j RETURN`,
    `-A PAAS-INPUT -p tcp -m tcp --dport 6003 -m comment --comment "paas-lease mine ${now / 1000 - 100}" -j RETURN`,
    '-A PAAS-INPUT -j DROP',
  ].join('\n');
  const leases = parseLeases(listing);
  assert.deepEqual(leases.map((l) => [l.cluster, l.port]), [['other', 6001], ['gone', 6002], ['mine', 6003]]);
  const rules = firewallRules({ blocked: [], allowedHostPorts: [7070], leased: { cluster: 'mine', ports: [5055] } }, leases, now);
  const input = rules.split('\n').filter((l) => l.startsWith('-A PAAS-INPUT'));
  assert.deepEqual(input, [
    '-A PAAS-INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
    '-A PAAS-INPUT -p tcp --dport 7070 -j RETURN',
    `-A PAAS-INPUT -p tcp --dport 5055 -m comment --comment "paas-lease mine ${now / 1000}" -j RETURN`,
    `-A PAAS-INPUT -p tcp --dport 6001 -m comment --comment "paas-lease other ${now / 1000 - 60}" -j RETURN`,
    '-A PAAS-INPUT -j DROP',
  ]);
});

test("with a cluster, an add-on server's port on the host is a lease of one address: kept by the other platforms' rewrites", () => {
  const now = 1_800_000_000_000;
  const mine = firewallRules({ blocked: [], allowedHostPorts: [], allowedServices: [{ address: '172.17.0.1', port: 33117 }], leased: { cluster: 'mine', ports: [5055] } }, [], now);
  const input = mine.split('\n').filter((l) => l.startsWith('-A PAAS-INPUT -d'));
  assert.deepEqual(input, [`-A PAAS-INPUT -d 172.17.0.1 -p tcp --dport 33117 -m comment --comment "paas-lease mine ${now / 1000}" -j RETURN`]);
  // as iptables -S lists it, read back by another platform, which writes it again as it was
  const listing = `-A PAAS-INPUT -d 172.17.0.1/32 -p tcp -m tcp --dport 33117 -m comment --comment "paas-lease mine ${now / 1000}" -j RETURN`;
  assert.deepEqual(parseLeases(listing), [{ cluster: 'mine', port: 33117, address: '172.17.0.1', renewed: now / 1000 }]);
  const theirs = firewallRules({ blocked: [], allowedHostPorts: [], leased: { cluster: 'other', ports: [6001] } }, parseLeases(listing), now + 1000);
  assert.ok(theirs.includes(`-A PAAS-INPUT -d 172.17.0.1 -p tcp --dport 33117 -m comment --comment "paas-lease mine ${now / 1000}" -j RETURN`), theirs);
  assert.ok(!/-A PAAS-INPUT -p tcp --dport 33117/.test(theirs), 'never the port of every address');
});

/** Whether a TCP connection from inside a container (bash's /dev/tcp) opens: ok, refused or timeout. */
function verdict(output: string): string {
  const rc = /rc=(\d+)/.exec(output)?.[1];
  return rc === '0' ? 'ok' : rc === '124' ? 'timeout' : rc === undefined ? `no answer: ${output}` : 'refused';
}
const probe = (host: string, port: number): string => `timeout 3 bash -c 'echo > /dev/tcp/${host}/${port}' 2>/dev/null; echo "rc=$?"`;

describe('app networks and the host firewall', { timeout: 180_000 }, () => {
  const docker = new Docker();
  const cluster = `test-${randomBytes(4).toString('hex')}`;
  const runtime = new DockerHostBackend({ docker, hostName: 'local', publishAddress: '127.0.0.1', address: '127.0.0.1', cluster, log: createLogger('test', 'silent') });
  const ns = `paas-ll-${randomBytes(3).toString('hex')}`;
  const veth = `pll${randomBytes(3).toString('hex')}`;
  let hostListener: Server;
  let hostPort = 0;
  let linkLocal: ReturnType<typeof import('node:child_process').spawn> | undefined;

  async function connectFrom(app: string, host: string, port: number): Promise<string> {
    const io = oneOffIo();
    const run = await runtime.runAttached(oneOffSpec(image, { app, command: probe(host, port) }), io);
    await run.exit;
    return verdict(io.stdout.text());
  }

  /** The probe of the host's listener from a container on the engine's default bridge (outside the platform's networks), through its gateway. */
  async function connectFromDefaultBridge(port: number): Promise<string> {
    const command = `gw=$(ip route | awk '/^default/ { print $3 }'); timeout 3 bash -c "echo > /dev/tcp/$gw/${port}" 2>/dev/null; echo "rc=$?"`;
    const c = await docker.createContainer({ Image: image, Entrypoint: ['bash', '-c', command], Labels: { 'paas.cluster': cluster }, HostConfig: { NetworkMode: 'bridge' } });
    await c.start();
    await c.wait();
    const out = String(await c.logs({ stdout: true, stderr: true }));
    await c.remove({ force: true });
    return verdict(out);
  }

  async function address(id: string, network: string): Promise<{ ip: string; gateway: string }> {
    const n = (await docker.getContainer(id).inspect()).NetworkSettings.Networks[network]!;
    return { ip: n.IPAddress, gateway: n.Gateway };
  }

  async function web(app: string): Promise<{ ip: string; gateway: string }> {
    const p = await runtime.start({ app, release: 1, type: 'web', index: 1, image, command: 'exec busybox httpd -f -p 5000 -h /tmp', env: {}, port: 5000, publish: true });
    await sleep(300);
    return address(p.id, appNetworkName(cluster, app));
  }

  before(async () => {
    await applyFirewall(localIptables, { blocked: [], allowedHostPorts: [] });
    // a listener of the test's own on every address of the host
    hostListener = createServer((s) => s.end());
    await new Promise<void>((r) => hostListener.listen(0, '0.0.0.0', r));
    hostPort = (hostListener.address() as { port: number }).port;
    // a listener on a link-local address, in a network namespace of the test's own
    await exec('ip', ['netns', 'add', ns]);
    await exec('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', `${veth}p`]);
    await exec('ip', ['link', 'set', `${veth}p`, 'netns', ns]);
    await exec('ip', ['addr', 'add', '169.254.77.1/30', 'dev', veth]);
    await exec('ip', ['link', 'set', veth, 'up']);
    await exec('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', '169.254.77.2/30', 'dev', `${veth}p`]);
    await exec('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', `${veth}p`, 'up']);
    await exec('ip', ['netns', 'exec', ns, 'ip', 'route', 'add', 'default', 'via', '169.254.77.1']);
    const { spawn } = await import('node:child_process');
    linkLocal = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', "require('net').createServer((s) => s.end()).listen(8080, '169.254.77.2')"], { stdio: 'ignore' });
    await sleep(500);
  });

  after(async () => {
    linkLocal?.kill('SIGKILL');
    hostListener.close();
    await exec('ip', ['link', 'del', veth]).catch(() => undefined);
    await exec('ip', ['netns', 'del', ns]).catch(() => undefined);
    const left = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    for (const n of await docker.listNetworks({ filters: { label: [`paas.cluster=${cluster}`] } })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
  });

  test("an app's processes reach each other on its own network; another app's do not", async () => {
    const a = await web('alpha');
    const b = await web('beta');
    assert.notEqual(appNetworkName(cluster, 'alpha'), appNetworkName(cluster, 'beta'));
    assert.equal(await connectFrom('alpha', a.ip, 5000), 'ok');
    assert.notEqual(await connectFrom('alpha', b.ip, 5000), 'ok');
    assert.notEqual(await connectFrom('beta', a.ip, 5000), 'ok');
  });

  test('no app reaches a build container', async () => {
    const network = buildNetworkName(cluster);
    await ensureBridgeNetwork(docker, { name: network, labels: { 'paas.cluster': cluster, 'paas.role': 'build-network' }, icc: false, pool: defaultNetworkPool });
    const c = await docker.createContainer({ Image: image, Entrypoint: ['busybox', 'httpd', '-f', '-p', '5000', '-h', '/tmp'], Labels: { 'paas.cluster': cluster }, HostConfig: { NetworkMode: network } });
    await c.start();
    await sleep(300);
    const { ip } = await address(c.id, network);
    assert.notEqual(await connectFrom('alpha', ip, 5000), 'ok');
  });

  test("the host's own listeners are out of reach through the network's gateway (the default bridge reaches them)", async () => {
    const { gateway } = await web('gamma');
    assert.equal(await connectFromDefaultBridge(hostPort), 'ok', 'the listener answers containers outside the platform');
    assert.notEqual(await connectFrom('gamma', gateway, hostPort), 'ok');
  });

  test("the app's network goes with the app", async () => {
    await runtime.removeAppResources('gamma');
    await assert.rejects(docker.getNetwork(appNetworkName(cluster, 'gamma')).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
    assert.ok(await docker.getNetwork(appNetworkName(cluster, 'alpha')).inspect(), "another app's stays");
  });

  test('a link-local address is out of reach (the host reaches it)', async () => {
    const reached = await new Promise<boolean>((resolve) => {
      const s = connect(8080, '169.254.77.2', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    assert.ok(reached, 'the link-local listener answers the host');
    assert.notEqual(await connectFrom('alpha', '169.254.77.2', 8080), 'ok');
  });
});

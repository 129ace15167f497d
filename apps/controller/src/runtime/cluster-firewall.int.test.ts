import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { createLogger } from '@paas/shared';
import type { HostRow } from '../db/hosts.js';
import { ClusterFirewall } from './cluster-firewall.js';
import { engineIptables, firewallImage } from './engine-iptables.js';
import { applyFirewall, localIptables } from './host-firewall.js';

const exec = promisify(execFile);
const docker = new Docker();
const cluster = `test-${randomBytes(4).toString('hex')}`;
const iptablesS = async (chain: string): Promise<string[]> => (await exec('iptables', ['-S', chain])).stdout.split('\n').filter((l) => l.startsWith('-A'));

after(async () => {
  // back to the platform's rules with nothing extra
  await applyFirewall(localIptables, { blocked: [], allowedHostPorts: [] });
  const left = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
});

test('the rules reach a host through its engine alone, once, with the jumps first', async (t) => {
  const present = await docker.getImage(firewallImage).inspect().then(() => true, () => false);
  if (!present) return t.skip(`${firewallImage} is missing: run scripts/base-images.sh`);
  const runner = engineIptables(docker, cluster);
  const policy = { blocked: ['10.99.99.0/24'], allowedHostPorts: [7071] };
  await applyFirewall(runner, policy);
  await applyFirewall(runner, policy);
  assert.ok((await iptablesS('PAAS-FORWARD')).includes('-A PAAS-FORWARD -d 10.99.99.0/24 -i paas+ -j DROP'));
  assert.ok((await iptablesS('PAAS-INPUT')).includes('-A PAAS-INPUT -p tcp -m tcp --dport 7071 -j RETURN'));
  const dockerUser = await iptablesS('DOCKER-USER');
  assert.equal(dockerUser[0], '-A DOCKER-USER -j PAAS-FORWARD');
  assert.equal(dockerUser.filter((r) => r === '-A DOCKER-USER -j PAAS-FORWARD').length, 1);
  const input = await iptablesS('INPUT');
  assert.equal(input[0], '-A INPUT -i paas+ -j PAAS-INPUT');
  assert.deepEqual(await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`, 'paas.role=firewall'] } }), [], 'its containers are gone');
});

test("a jump that lost its place (the engine put its own first) is moved back; the cluster's other hosts are blocked", async () => {
  await exec('iptables', ['-I', 'DOCKER-USER', '1', '-j', 'RETURN']);
  await exec('iptables', ['-I', 'DOCKER-USER', '1', '-j', 'RETURN']);
  const row = (name: string, url: string, address: string): HostRow => ({ name, docker_url: url, address }) as HostRow;
  const firewall = new ClusterFirewall({
    config: { firewall: { mode: 'on', block: [], allowPorts: [] }, dockerHost: undefined, reconcileIntervalMs: 60_000, cluster },
    engines: () => [
      { row: row('local', 'unix:///var/run/docker.sock', '127.0.0.1'), docker },
      { row: row('node-2', 'tcp://10.98.0.2:2375', '10.98.0.2'), docker: new Docker({ host: '127.0.0.1', port: 1, timeout: 2000 }) },
    ],
    imageSource: docker,
    log: createLogger('test', 'silent'),
  });
  // node-2 is unreachable (nothing listens on port 1 here): the local host's rules are in place all the same
  assert.deepEqual(await firewall.check(), ['local']);
  const dockerUser = await iptablesS('DOCKER-USER');
  assert.equal(dockerUser[0], '-A DOCKER-USER -j PAAS-FORWARD');
  assert.ok((await iptablesS('PAAS-FORWARD')).includes('-A PAAS-FORWARD -d 10.98.0.2/32 -i paas+ -j DROP'));
  assert.ok(!(await iptablesS('PAAS-FORWARD')).some((r) => r.includes('127.0.0.1')));
  // the RETURNs the test added go, whatever they were
  for (const r of dockerUser.filter((x) => x === '-A DOCKER-USER -j RETURN').slice(1)) await exec('iptables', ['-D', 'DOCKER-USER', ...r.split(' ').slice(2)]);
});

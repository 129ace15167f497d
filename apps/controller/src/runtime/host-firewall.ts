import { execFile, spawn } from 'node:child_process';
import { isIP } from 'node:net';
import { bridgeInterfacePrefix } from '@paas/shared';

/**
 * The host firewall that keeps apps and builds apart, in the engine's own `DOCKER-USER` chain (which
 * the engine jumps to first for every forwarded packet and never flushes) and in `INPUT`. Traffic that
 * comes in on a paas bridge (`paas+`: every app's network and the build network):
 *  - reaches containers of its own bridge (an app's processes talk to each other; the build network
 *    itself has inter-container traffic off);
 *  - never another paas bridge, the engine's default bridge or any other Docker network (`br-+`:
 *    where compose runs the platform's own services);
 *  - never the host itself (its API, builder, router admin, PostgreSQL, Redis, Docker API: whatever
 *    listens on any of its addresses), save the ports the operator opens (PAAS_FIREWALL_ALLOW_PORTS);
 *  - never 169.254.0.0/16 (link-local, cloud metadata), the other hosts of the cluster, or the
 *    addresses the operator adds (PAAS_FIREWALL_BLOCK);
 *  - replies of connections made the other way (the router to an app's published port) pass.
 * Outbound internet stays open (builds need their registries).
 */
export const forwardChain = 'PAAS-FORWARD';
export const inputChain = 'PAAS-INPUT';

export interface FirewallPolicy {
  /** Addresses or IPv4 CIDRs no container may reach (other hosts, the operator's additions). */
  blocked: string[];
  /** TCP ports of the host that containers may reach (the operator's PAAS_FIREWALL_ALLOW_PORTS). */
  allowedHostPorts: number[];
  /**
   * The add-on servers (issue 18): an IPv4 address and TCP port apps may reach though the address is
   * the host's own or blocked (another cluster host's, the operator's), and only that port of it.
   */
  allowedServices?: { address: string; port: number }[];
  /**
   * The platform's own ports (its routers' internal listener), held as a lease of its cluster: the
   * rule names the cluster and when it was renewed, and another platform on the same host (tests,
   * a second cluster) that rewrites the chain keeps the leases of others renewed within `leaseTtlMs`.
   */
  leased?: { cluster: string; ports: number[] };
}

/** A lease not renewed for this long is dropped by the next platform that rewrites the chain. */
export const leaseTtlMs = 5 * 60_000;

export interface PortLease {
  cluster: string;
  port: number;
  /** The one address it opens the port of (an add-on server's), else every address of the host. */
  address?: string;
  /** Unix seconds of its last renewal. */
  renewed: number;
}

/** The leases in `iptables -S PAAS-INPUT` output. */
export function parseLeases(listing: string): PortLease[] {
  const leases: PortLease[] = [];
  for (const m of listing.matchAll(/(?:-d (\d+\.\d+\.\d+\.\d+)(?:\/32)? )?-p tcp (?:-m tcp )?--dport (\d+) -m comment --comment "?paas-lease ([a-z0-9_.-]+) (\d+)"?/g)) {
    leases.push({ port: Number(m[2]), cluster: m[3]!, renewed: Number(m[4]), ...(m[1] ? { address: m[1] } : {}) });
  }
  return leases;
}

const bridges = `${bridgeInterfacePrefix}+`;

/**
 * The rules, in iptables-restore form for the filter table; the chains are replaced whole and at once.
 * `others`: leases of other clusters to keep (fresh ones, read from the chain before).
 */
export function firewallRules(policy: FirewallPolicy, others: PortLease[] = [], nowMs = Date.now()): string {
  const now = Math.floor(nowMs / 1000);
  const own = policy.leased;
  // Only literal IPv4 addresses and ports (they are written into the rules), never loopback or link-local.
  const services = [...new Map((policy.allowedServices ?? [])
    .filter((s) => isIP(s.address) === 4 && !isLoopback(s.address) && !s.address.startsWith('169.254.') && Number.isInteger(s.port) && s.port >= 1 && s.port <= 65535)
    .map((s) => [`${s.address}:${s.port}`, s])).values()];
  // With a cluster of its own, the add-on servers' ports on the host are leases too: another platform
  // on the same host (tests, a second cluster) that rewrites the chain keeps them.
  const leases: PortLease[] = [
    ...(own ? [...new Set(own.ports)].map((port) => ({ cluster: own.cluster, port, renewed: now })) : []),
    ...(own ? services.map((s) => ({ cluster: own.cluster, port: s.port, address: s.address, renewed: now })) : []),
    ...others.filter((l) => l.cluster !== own?.cluster && now - l.renewed <= leaseTtlMs / 1000 && /^[a-z0-9_.-]+$/.test(l.cluster)),
  ];
  const blocked = [...new Set(policy.blocked.filter((a) => !isLoopback(a)))];
  const lines = [
    '*filter',
    `:${forwardChain} - [0:0]`,
    `:${inputChain} - [0:0]`,
    `-A ${forwardChain} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`,
    // within one bridge: an app's own processes (the engine applies the build network's icc=false after this)
    `-A ${forwardChain} -i ${bridges} -o ${bridges} -m physdev --physdev-is-bridged -j RETURN`,
    `-A ${forwardChain} -i ${bridges} -o ${bridges} -j DROP`,
    `-A ${forwardChain} -i ${bridges} -o docker0 -j DROP`,
    `-A ${forwardChain} -i ${bridges} -o br-+ -j DROP`,
    `-A ${forwardChain} -i ${bridges} -d 169.254.0.0/16 -j DROP`,
    ...services.map((s) => `-A ${forwardChain} -i ${bridges} -d ${s.address} -p tcp --dport ${s.port} -j RETURN`),
    ...blocked.map((a) => `-A ${forwardChain} -i ${bridges} -d ${a} -j DROP`),
    `-A ${forwardChain} -j RETURN`,
    `-A ${inputChain} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`,
    ...[...new Set(policy.allowedHostPorts)].map((p) => `-A ${inputChain} -p tcp --dport ${p} -j RETURN`),
    ...(own ? [] : services.map((s) => `-A ${inputChain} -d ${s.address} -p tcp --dport ${s.port} -j RETURN`)),
    ...leases.map(
      (l) => `-A ${inputChain}${l.address !== undefined && isIP(l.address) === 4 ? ` -d ${l.address}` : ''} -p tcp --dport ${l.port} -m comment --comment "paas-lease ${l.cluster} ${l.renewed}" -j RETURN`,
    ),
    `-A ${inputChain} -j DROP`,
    'COMMIT',
    '',
  ];
  return lines.join('\n');
}

function isLoopback(address: string): boolean {
  const ip = address.split('/')[0]!;
  return ip.startsWith('127.') || ip === '::1' || ip === 'localhost';
}

/** Which of a host table's addresses the firewall blocks: IPv4 addresses and CIDRs, not names. */
export function blockableAddresses(addresses: readonly string[]): string[] {
  return addresses.filter((a) => isIP(a) === 4 || /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(a));
}

/** Runs iptables commands (argument arrays; the input of iptables-restore on its stdin). */
export interface IptablesRunner {
  run(command: 'iptables' | 'iptables-restore', args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** iptables on the machine the controller runs on (as root): the local engine's host. */
export const localIptables: IptablesRunner = {
  run(command, args, input) {
    return new Promise((resolve) => {
      if (input === undefined) {
        execFile(command, args, { timeout: 20_000 }, (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
          resolve({ code, stdout, stderr: stderr || (err?.message ?? '') });
        });
        return;
      }
      const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: 20_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('error', (err) => resolve({ code: 1, stdout, stderr: err.message }));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
    });
  },
};

/** Installs the rules (replacing the chains whole) and makes sure both jumps to them are first. */
export async function applyFirewall(ipt: IptablesRunner, policy: FirewallPolicy): Promise<void> {
  // other platforms' leases on this host, kept while fresh (none when the chain does not exist yet)
  const current = await ipt.run('iptables', ['-S', inputChain]);
  const others = current.code === 0 ? parseLeases(current.stdout) : [];
  const restored = await ipt.run('iptables-restore', ['--noflush'], firewallRules(policy, others));
  if (restored.code !== 0) throw new Error(`iptables-restore failed: ${restored.stderr.trim()}`);
  await ensureFirstJump(ipt, 'DOCKER-USER', ['-j', forwardChain]);
  await ensureFirstJump(ipt, 'INPUT', ['-i', bridges, '-j', inputChain]);
}

/** The rule `match` heads `chain` (moved there when it is elsewhere, e.g. after the engine restarted). */
async function ensureFirstJump(ipt: IptablesRunner, chain: string, match: string[]): Promise<void> {
  const listed = await ipt.run('iptables', ['-S', chain]);
  if (listed.code !== 0) throw new Error(`iptables -S ${chain} failed: ${listed.stderr.trim()} (is the Docker engine running?)`);
  const rules = listed.stdout.split('\n').filter((l) => l.startsWith(`-A ${chain} `));
  const wanted = `-A ${chain} ${match.join(' ')}`;
  if (rules[0] === wanted && rules.filter((r) => r === wanted).length === 1) return;
  // delete every copy, then insert one at the top
  for (let i = 0; i < rules.filter((r) => r === wanted).length; i++) await ipt.run('iptables', ['-D', chain, ...match]);
  const inserted = await ipt.run('iptables', ['-I', chain, '1', ...match]);
  if (inserted.code !== 0) throw new Error(`iptables -I ${chain} failed: ${inserted.stderr.trim()}`);
}

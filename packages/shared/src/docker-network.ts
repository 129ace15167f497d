import { createHash } from 'node:crypto';
import type Docker from 'dockerode';

/**
 * The platform's own Docker bridge networks: one per app on each host (its processes and one-offs
 * reach each other there, and nothing else of the platform), and one for builds. Each bridge's
 * interface is named `paas` + 11 hex digits, so the host firewall matches them all as `paas+`.
 * Subnets come from the operator's pool (PAAS_NETWORK_POOL), not from the engine's small default
 * pools (about 30 networks).
 */
export const bridgeInterfacePrefix = 'paas';

/** The bridge interface of a network: at most 15 characters (the kernel's limit). */
export function bridgeInterfaceName(network: string): string {
  return bridgeInterfacePrefix + createHash('sha256').update(network).digest('hex').slice(0, 11);
}

/** The network an app's processes join on each host. */
export function appNetworkName(cluster: string, app: string): string {
  return `paas-${cluster}-app-${app}`;
}

/** The network builds run on. */
export function buildNetworkName(cluster: string): string {
  return `paas-${cluster}-build`;
}

export interface NetworkPool {
  /** An IPv4 CIDR the networks' subnets are cut from, e.g. 10.210.0.0/16. */
  cidr: string;
  /** The prefix length of each network's subnet, e.g. 24. */
  prefix: number;
}

export const defaultNetworkPool: NetworkPool = { cidr: '10.210.0.0/16', prefix: 24 };

/** An IPv4 address as an unsigned integer; throws on anything else. */
export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** An IPv4 CIDR as its first address and size; throws on anything else. */
export function parseCidr(cidr: string): { start: number; size: number } {
  const [ip, bits] = cidr.split('/');
  const prefix = Number(bits);
  if (ip === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const size = 2 ** (32 - prefix);
  return { start: ipToInt(ip) - (ipToInt(ip) % size), size };
}

/** The first subnet of the pool that overlaps none of `used` (IPv4 CIDRs; others are ignored). */
export function firstFreeSubnet(pool: NetworkPool, used: readonly string[]): string | undefined {
  const { start, size } = parseCidr(pool.cidr);
  const step = 2 ** (32 - pool.prefix);
  const taken = used.filter((c) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(c)).map(parseCidr);
  for (let s = start; s + step <= start + size; s += step) {
    if (!taken.some((t) => s < t.start + t.size && t.start < s + step)) return `${intToIp(s)}/${pool.prefix}`;
  }
  return undefined;
}

export interface BridgeNetworkSpec {
  name: string;
  labels: Record<string, string>;
  /** Whether containers of the network reach each other (an app's do; builds do not). */
  icc: boolean;
  pool: NetworkPool;
}

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

/** A bridge network's IPv4 subnet and gateway (the host's address on it), as the engine reports them. */
export interface BridgeAddresses {
  subnet: string | undefined;
  gateway: string | undefined;
}

function addressesOf(info: { IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] } }): BridgeAddresses {
  const config = (info.IPAM?.Config ?? []).find((c) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(c.Subnet ?? ''));
  if (!config?.Subnet) return { subnet: undefined, gateway: undefined };
  // the engine reports the gateway only when it was given: its default is the subnet's first address
  return { subnet: config.Subnet, gateway: config.Gateway || firstHostAddress(config.Subnet) };
}

/** The first usable address of an IPv4 subnet (the engine's default gateway). */
export function firstHostAddress(cidr: string): string {
  return intToIp(parseCidr(cidr).start + 1);
}

/** Creates the bridge network unless it exists (a subnet taken meanwhile by another creator is retried); resolves to its addresses. */
export async function ensureBridgeNetwork(docker: Docker, spec: BridgeNetworkSpec): Promise<BridgeAddresses> {
  for (let attempt = 0; ; attempt++) {
    try {
      return addressesOf((await docker.getNetwork(spec.name).inspect()) as Parameters<typeof addressesOf>[0]);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    const networks = await docker.listNetworks();
    const used = networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? ''));
    const subnet = firstFreeSubnet(spec.pool, used);
    if (subnet === undefined) throw new Error(`no free /${spec.pool.prefix} subnet is left in ${spec.pool.cidr} (PAAS_NETWORK_POOL)`);
    try {
      await docker.createNetwork({
        Name: spec.name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: spec.labels,
        Options: {
          'com.docker.network.bridge.name': bridgeInterfaceName(spec.name),
          'com.docker.network.bridge.enable_icc': String(spec.icc),
        },
        IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: firstHostAddress(subnet) }] },
      });
      return addressesOf((await docker.getNetwork(spec.name).inspect()) as Parameters<typeof addressesOf>[0]);
    } catch (err) {
      const message = (err as Error).message ?? '';
      const raced = statusOf(err) === 409 || /overlap|already exists|in use/i.test(message);
      if (!raced || attempt >= 5) throw err;
    }
  }
}

/** Removes a network; one already gone is fine, one still in use is left (and reported). */
export async function removeNetwork(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getNetwork(name).remove();
    return true;
  } catch (err) {
    if (statusOf(err) === 404) return true;
    if (statusOf(err) === 403 || statusOf(err) === 409) return false;
    throw err;
  }
}

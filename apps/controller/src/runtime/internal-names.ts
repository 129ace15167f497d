import type Docker from 'dockerode';
import type { InternalSubnet } from '@paas/shared';
import { containerLabel } from './container-labels.js';

/**
 * Service discovery in the runtime: an app's containers resolve `<app>.<domain>` (PAAS_INTERNAL_DOMAIN)
 * for the apps they may call through an /etc/hosts entry pointing at their network's gateway, the
 * host's address on it, where the router's internal listener answers (the host firewall lets app
 * networks reach that port of the host and nothing else). The router tells the caller by its address,
 * so each app network's subnet is published before its first container starts.
 */
export interface InternalNames {
  /** PAAS_INTERNAL_DOMAIN. */
  domain: string;
  /** The apps whose internal names the app's containers resolve (db/internal-access.ts internalNamesFor). */
  names(app: string): Promise<string[]>;
  /** Told of each app network's subnet on a host as it is made or found. */
  networkReady(subnet: InternalSubnet): Promise<void>;
}

/** An app's network on one engine and its containers' extra /etc/hosts entries. */
export interface AppNetworking {
  name: string;
  extraHosts: string[];
}

/** `name:address` entries (the engine's ExtraHosts form) for each app's internal name. */
export function hostsEntries(apps: readonly string[], domain: string, gateway: string): string[] {
  return [...new Set(apps)].map((a) => `${a}.${domain}:${gateway}`);
}

/** Where the routers read the subnets (RedisInternalAccess). */
export interface SubnetTable {
  replaceHostSubnets(host: string, entries: { subnet: string; app: string }[]): Promise<void>;
}

/**
 * A full listing of each engine's app networks into the routers' table (at start and on a timer: the
 * table in Redis may have been lost, and networks removed with their apps must go).
 */
export async function publishEngineSubnets(engines: { row: { name: string }; docker: Docker }[], cluster: string, table: SubnetTable): Promise<void> {
  await Promise.all(
    engines.map(async ({ row, docker }) => {
      const networks = await docker.listNetworks({ filters: { label: [`${containerLabel.cluster}=${cluster}`, `${containerLabel.role}=app-network`] } });
      const entries = networks.flatMap((n) => {
        const app = n.Labels?.[containerLabel.app];
        const subnet = (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? '').find((c) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(c));
        return app && subnet ? [{ subnet, app }] : [];
      });
      await table.replaceHostSubnets(row.name, entries);
    }),
  );
}

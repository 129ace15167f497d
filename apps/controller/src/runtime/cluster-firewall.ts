import type Docker from 'dockerode';
import type { Logger } from '@paas/shared';
import type { ControllerConfig } from '../config.js';
import type { HostRow } from '../db/hosts.js';
import { applyFirewall, blockableAddresses, localIptables, type FirewallPolicy, type IptablesRunner } from './host-firewall.js';
import { engineIptables, firewallImage } from './engine-iptables.js';
import { transferImage } from './image-transfer.js';

export interface ClusterFirewallOptions {
  config: Pick<ControllerConfig, 'firewall' | 'dockerHost' | 'reconcileIntervalMs' | 'cluster'> & { internal?: ControllerConfig['internal'] };
  /** The hosts that are up, with their engines. */
  engines: () => { row: HostRow; docker: Docker }[];
  /** Where the firewall image is copied from to a host that lacks it (the builder's engine). */
  imageSource: Docker;
  log: Logger;
  /** The add-on servers apps may reach (addresses and ports), read at each check. */
  services?: () => { address: string; port: number }[];
}

/**
 * Keeps the host firewall (host-firewall.ts) on every Docker host of the cluster: installed at start,
 * checked again every reconcile interval and when a host joins. The engine on this machine (a unix
 * socket) is changed with this machine's iptables; a host reached over TCP or SSH through a
 * container of the firewall image in its network namespace (engine-iptables.ts), the image copied
 * there first. A host where it fails is told once in the log (`PAAS_FIREWALL=on`: at every check).
 */
export class ClusterFirewall {
  private timer: NodeJS.Timeout | undefined;
  private readonly failing = new Set<string>();
  private running: Promise<void> | undefined;

  constructor(private readonly o: ClusterFirewallOptions) {}

  policy(): FirewallPolicy {
    const addresses = this.o.engines().map((e) => e.row.address);
    const internalPort = this.o.config.internal?.port ?? 0;
    return {
      blocked: [...blockableAddresses(addresses), ...this.o.config.firewall.block],
      allowedHostPorts: this.o.config.firewall.allowPorts,
      allowedServices: this.o.services?.() ?? [],
      // the routers' internal listener: the one port of the host app networks reach (service discovery)
      ...(internalPort > 0 ? { leased: { cluster: this.o.config.cluster, ports: [internalPort] } } : {}),
    };
  }

  /** One pass over the hosts; resolves to the names of those whose rules are in place. */
  async check(): Promise<string[]> {
    if (this.o.config.firewall.mode === 'off') return [];
    const policy = this.policy();
    const done: string[] = [];
    await Promise.all(
      this.o.engines().map(async ({ row, docker }) => {
        try {
          await this.apply(row, docker, policy);
          if (this.failing.delete(row.name)) this.o.log.info({ host: row.name }, 'host firewall in place again');
          done.push(row.name);
        } catch (err) {
          const first = !this.failing.has(row.name);
          this.failing.add(row.name);
          if (this.o.config.firewall.mode === 'on') this.o.log.error({ host: row.name, err }, 'could not install the host firewall: apps on this host can reach each other and the host');
          else if (first) this.o.log.warn({ host: row.name, err }, 'host firewall not installed (PAAS_FIREWALL=auto): apps on this host can reach each other and the host');
        }
      }),
    );
    return done;
  }

  /**
   * The local engine's host with this machine's iptables, or, when that fails (the controller runs
   * in a container, say), through the engine like any other host.
   */
  private async apply(row: HostRow, docker: Docker, policy: FirewallPolicy): Promise<void> {
    const local = row.docker_url === '' || row.docker_url.startsWith('unix:');
    if (local) {
      try {
        await applyFirewall(localIptables, policy);
        return;
      } catch (err) {
        this.o.log.debug({ err }, "this machine's iptables failed: trying through the engine");
      }
    }
    await applyFirewall(await this.engineRunner(docker), policy);
  }

  private async engineRunner(docker: Docker): Promise<IptablesRunner> {
    try {
      await docker.getImage(firewallImage).inspect();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      await transferImage(this.o.imageSource, docker, firewallImage);
    }
    return engineIptables(docker, this.o.config.cluster);
  }

  start(): void {
    if (this.o.config.firewall.mode === 'off') return;
    this.timer = setInterval(() => {
      this.running ??= this.check()
        .then(() => undefined)
        .finally(() => (this.running = undefined));
    }, this.o.config.reconcileIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

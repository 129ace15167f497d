import type { Logger } from '@paas/shared';
import type { ControllerConfig } from '../config.js';
import type { HostRow } from '../db/hosts.js';
import { blockableAddresses, HostFirewall, localIptables } from './host-firewall.js';

/**
 * The host firewall of the engine on this machine (DOCKER_HOST unset or a unix socket), kept by the
 * controller: installed at start and checked again every reconcile interval. Other hosts of the
 * cluster are reached only through their Docker API, so their firewall is the operator's (the rules
 * are in host-firewall.ts); undefined when the operator turned it off or the engine is elsewhere.
 */
export function localFirewall(
  config: Pick<ControllerConfig, 'firewall' | 'dockerHost' | 'reconcileIntervalMs'>,
  cluster: { hosts(): HostRow[] },
  log: Logger,
): HostFirewall | undefined {
  if (config.firewall.mode === 'off') return undefined;
  if (config.dockerHost !== undefined && !config.dockerHost.startsWith('unix:')) {
    log.warn({ dockerHost: config.dockerHost }, 'the Docker engine is not on this machine: its host firewall is the operator\'s (PAAS_FIREWALL)');
    return undefined;
  }
  const mode = config.firewall.mode;
  return new HostFirewall({
    runner: localIptables,
    mode,
    intervalMs: config.reconcileIntervalMs,
    log,
    policy: async () => ({
      blocked: [...blockableAddresses(cluster.hosts().map((h) => h.address)), ...config.firewall.block],
      allowedHostPorts: config.firewall.allowPorts,
    }),
  });
}

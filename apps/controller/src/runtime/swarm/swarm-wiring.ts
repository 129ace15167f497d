import Docker from 'dockerode';
import { dockerOptions, type Logger } from '@paas/shared';
import type { ControllerConfig } from '../../config.js';
import type { HardeningExceptions } from '../container-hardening.js';
import { SwarmRuntime } from './swarm-runtime.js';
import { SaveLoadSwarmImages } from './swarm-images.js';
import { ServingWatch } from './serving-watch.js';

/**
 * The Swarm runtime of PAAS_RUNTIME=swarm (main.ts): the manager's API, images copied from the
 * builder's engine to the nodes (until the registry replaces it: swarm-images.ts), the platform's
 * drain, grace and limits, and the watch that makes the routes follow what Swarm moves.
 */
export function swarmRuntime(
  config: ControllerConfig,
  managerUrl: string,
  imageSource: Docker,
  log: Logger,
  exceptions?: (app: string) => Promise<HardeningExceptions | undefined>,
): { runtime: SwarmRuntime; watch: ServingWatch } {
  const manager = new Docker(dockerOptions(managerUrl));
  const swarmLog = log.child({ component: 'swarm' });
  const runtime = new SwarmRuntime({
    manager,
    cluster: config.cluster,
    imageSource,
    images: new SaveLoadSwarmImages({ manager, imageSource, cluster: config.cluster, log: swarmLog }),
    pidsLimit: config.appPidsLimit,
    drainSeconds: config.drainMs / 1000,
    stopGraceSeconds: config.stopGraceSeconds,
    bootTimeoutSeconds: Math.ceil(config.bootTimeoutMs / 1000),
    ...(exceptions ? { exceptions } : {}),
    log: swarmLog,
  });
  return { runtime, watch: new ServingWatch({ runtime, intervalMs: Math.min(config.hostCheckIntervalMs, 2000), log: swarmLog }) };
}

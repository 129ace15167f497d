import { readFileSync } from 'node:fs';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import type { EgressGuard, Logger, RedisKeys } from '@paas/shared';
import type { ControllerConfig } from '../config.js';
import type { HostRow } from '../db/hosts.js';
import { EngineClients } from '../logs/engine-clients.js';
import { LogServices } from '../logs/log-services.js';
import { ContainerStats } from './container-stats.js';
import { ControllerMetrics } from './controller-metrics.js';

export interface ObservabilityOptions {
  config: Pick<ControllerConfig, 'logs' | 'metrics' | 'cluster'>;
  pool: pg.Pool;
  redis: Redis;
  keys: RedisKeys;
  /** The build queue, for its depth. */
  queue: Queue;
  /** The runtime's hosts (ClusterRuntime.hosts). */
  hosts: () => HostRow[];
  log: Logger;
  /** The egress guard drains go through (main.ts makes one for the whole controller). */
  egress: EgressGuard;
  /** A process the engine will not restart (killed from outside): replace it now. */
  onProcessAbandoned?: (app: string) => void;
}

export interface Observability {
  logs: LogServices;
  metrics: ControllerMetrics;
  start(): void;
  stop(): Promise<void>;
}

/** The controller's logs (streams, collector, drains, platform events) and metrics, wired for main.ts. */
export function createObservability(o: ObservabilityOptions): Observability {
  let logs: LogServices | undefined;
  const metrics = new ControllerMetrics({
    token: o.config.metrics.token,
    queueCounts: () => o.queue.getJobCounts('waiting', 'active', 'delayed', 'failed'),
    tails: () => ({ count: logs?.tails.count ?? 0, bufferedBytes: logs?.tails.bufferedBytes() ?? 0 }),
  });
  const engines = new EngineClients();
  logs = new LogServices({
    pool: o.pool,
    redis: o.redis,
    keys: o.keys,
    log: o.log,
    maxLines: o.config.logs.lines,
    linesPerSecond: o.config.logs.linesPerSecond,
    drainCa: o.config.logs.drainCaFile ? readFileSync(o.config.logs.drainCaFile) : undefined,
    egress: o.egress,
    hosts: o.hosts,
    engines,
    cluster: o.config.cluster,
    ...(o.onProcessAbandoned ? { onProcessAbandoned: o.onProcessAbandoned } : {}),
    counters: {
      linesCollected: (n) => metrics.linesCollected(n),
      drainDelivered: (n) => metrics.drainDelivered(n),
      drainDropped: (n) => metrics.drainDropped(n),
      crashed: (app, process, host) => metrics.crashed(app, process, host),
    },
  });
  const stats = new ContainerStats({
    hosts: o.hosts,
    engines,
    cluster: o.config.cluster,
    registry: metrics.registry,
    intervalMs: o.config.metrics.intervalMs,
    log: o.log,
  });
  metrics.containers = stats;
  const started = logs;
  return {
    logs: started,
    metrics,
    start() {
      started.start();
      stats.start();
    },
    async stop() {
      stats.stop();
      await started.stop();
    },
  };
}

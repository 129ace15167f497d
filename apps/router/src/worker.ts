import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { AggregatorRegistry } from 'prom-client';
import { RedisInternalAccess, RedisKeys, RedisRouteStore, SecretBox, toError, type Logger } from '@paas/shared';
import { TeeAccessLogSink, type AccessLogSink } from './access-log.js';
import type { PemPair } from './cert-table.js';
import { isPrimaryMessage, type WorkerMessage } from './cluster-messages.js';
import type { RouterConfig } from './config.js';
import { PinoAccessLogSink } from './pino-access-log-sink.js';
import { RedisAccessLogSink } from './redis-access-log-sink.js';
import { InternalAccess } from './internal-access.js';
import { RouterInstance } from './router-instance.js';
import type { RouterMetrics } from './router-metrics.js';
import type { RouteReporter } from './route-sync.js';

/** How long in-flight requests and websockets get to finish after SIGTERM. */
const shutdownGraceMs = 10_000;

/**
 * One serving router process (a cluster worker, or the only process): its own route table synced
 * from Redis, its own connections to the backends. In a cluster it reports the route versions it
 * serves to the primary (which acknowledges them once all workers do) and asks the primary for the
 * metrics of all workers; alone it does both itself.
 */
export async function runWorker(config: RouterConfig, logger: Logger): Promise<void> {
  const platformCert = readPlatformCert(config);
  const keys = new RedisKeys(config.redisPrefix);
  // Commands fail fast while Redis is away: the router keeps its last good table and retries on a timer.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
  let redisDown = false;
  redis.on('error', (err) => {
    if (!redisDown) logger.warn({ err }, 'redis connection lost; retrying (serving the last good table)');
    redisDown = true;
  });
  redis.on('ready', () => {
    if (redisDown) logger.info('redis connection back');
    redisDown = false;
  });
  // Access lines on a connection of their own, never queued while Redis is away (the sink drops them).
  const logsRedis = redis.duplicate({ enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  logsRedis.on('error', () => {});
  const sinks: AccessLogSink[] = [new RedisAccessLogSink(logsRedis, keys, { logger, maxLen: config.logLines })];
  if (logger.isLevelEnabled('info')) sinks.push(new PinoAccessLogSink(logger));

  const box = config.certKey ? SecretBox.fromKey(config.certKey) : undefined;
  if (!box) logger.warn('PAAS_ROUTER_CERT_KEY is not set: app certificates cannot be loaded (only the platform certificate is served)');
  if (config.certKeyFromSecret && (!cluster.isWorker || cluster.worker?.id === 1)) logger.warn('the router was given PAAS_SECRET: it needs only PAAS_ROUTER_CERT_KEY (see npm run up), which opens certificate keys and nothing else');
  const clustered = cluster.isWorker;
  const router = new RouterInstance({
    settings: config,
    store: new RedisRouteStore(redis, keys),
    logger,
    accessLog: new TeeAccessLogSink(sinks),
    platformCert,
    openKey: box ? (sealed) => box.open(sealed) : undefined,
    reporter: clustered ? primaryReporter() : undefined,
    metricsText: clustered ? primaryMetrics() : undefined,
    internal:
      config.internalPort === 0
        ? undefined
        : {
            access: new InternalAccess(new RedisInternalAccess(redis, keys), { hostName: config.hostName, resyncMs: config.resyncMs, logger }),
            port: config.internalPort,
            host: config.internalHost,
            domain: config.internalDomain,
          },
  });
  if (clustered) {
    // Lets the primary's AggregatorRegistry collect this worker's metrics.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([router.metrics.registry]);
  }
  const { port, tlsPort, internalPort } = await router.start();
  logger.info({ host: config.host, port, tlsPort, internalPort, domain: config.domain, platformCert: platformCert !== undefined, pid: process.pid }, 'router listening');

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return; // Ctrl-C reaches the primary and the workers: the primary's SIGTERM follows
    stopping = true;
    logger.info({ signal, tunnels: router.upgrades.open }, 'shutting down: no new connections');
    await router.stop(shutdownGraceMs);
    await redis.quit().catch(() => redis.disconnect());
    await logsRedis.quit().catch(() => logsRedis.disconnect());
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, (s: NodeJS.Signals) => {
      shutdown(s).catch((err: unknown) => {
        logger.error({ err: toError(err) }, 'shutdown failed');
        process.exit(1);
      });
    });
  }
}

function readPlatformCert(config: RouterConfig): PemPair | undefined {
  if (!config.tlsCertFile || !config.tlsKeyFile) return undefined;
  const read = (file: string, name: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`${name}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  return { cert: read(config.tlsCertFile, 'PAAS_ROUTER_TLS_CERT'), key: read(config.tlsKeyFile, 'PAAS_ROUTER_TLS_KEY') };
}

function toPrimary(message: WorkerMessage): void {
  process.send?.(message);
}

function primaryReporter(): RouteReporter {
  return {
    applied: async (routes) => toPrimary({ type: 'paas:routes-applied', routes: routes.map((r) => [r.app, r.version]) }),
    removed: (apps) => toPrimary({ type: 'paas:routes-removed', apps }),
  };
}

/** /metrics from a worker: the primary gathers every worker's metrics and sums them. */
function primaryMetrics(): (metrics: RouterMetrics) => Promise<{ contentType: string; text: string }> {
  let next = 0;
  const pending = new Map<number, { resolve: (v: { contentType: string; text: string }) => void; reject: (e: Error) => void }>();
  process.on('message', (message: unknown) => {
    if (!isPrimaryMessage(message)) return;
    const p = pending.get(message.id);
    if (!p) return;
    pending.delete(message.id);
    if ('error' in message) p.reject(new Error(message.error));
    else p.resolve({ contentType: message.contentType, text: message.text });
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('the router primary did not answer'));
      }, 5000);
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      toPrimary({ type: 'paas:metrics-request', id });
    });
}

import cluster, { type Worker } from 'node:cluster';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { Redis } from 'ioredis';
import { AggregatorRegistry } from 'prom-client';
import { RedisKeys, RedisRouteStore, toError, type Logger } from '@paas/shared';
import { AckAggregator } from './ack-aggregator.js';
import { isWorkerMessage, type PrimaryMessage } from './cluster-messages.js';
import type { RouterConfig } from './config.js';

/** How long workers get to finish after SIGTERM before the primary gives up on them. */
const workerStopMs = 15_000;

/**
 * The router's cluster primary: forks one worker per core (each syncs its own table and serves
 * requests), restarts a worker that dies, acknowledges a route version once every worker serves it,
 * and answers the workers' /metrics requests with the metrics of all of them. It holds no table and
 * serves no request itself.
 */
export async function runPrimary(config: RouterConfig, logger: Logger): Promise<void> {
  // A platform certificate that cannot be loaded fails here, once, rather than in every worker forever.
  if (config.tlsCertFile && config.tlsKeyFile) {
    const read = (file: string, name: string): string => {
      try {
        return readFileSync(file, 'utf8');
      } catch (err) {
        throw new Error(`${name}: cannot read ${file}: ${(err as Error).message}`);
      }
    };
    const cert = read(config.tlsCertFile, 'PAAS_ROUTER_TLS_CERT');
    const key = read(config.tlsKeyFile, 'PAAS_ROUTER_TLS_KEY');
    try {
      createSecureContext({ cert, key });
    } catch (err) {
      throw new Error(`PAAS_ROUTER_TLS_CERT, PAAS_ROUTER_TLS_KEY: not a usable certificate and key: ${(err as Error).message}`);
    }
  }
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {
    /* the workers log Redis trouble; acknowledgements are retried by their resyncs */
  });
  const store = new RedisRouteStore(redis, new RedisKeys(config.redisPrefix));
  const acks = new AckAggregator((app, version) => {
    store.ack(app, version).catch((err: unknown) => logger.warn({ app, version, err: toError(err) }, 'route acknowledgement failed'));
  });
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let restarts = 0;

  const fork = (): Worker => {
    const worker = cluster.fork();
    acks.join(worker.id);
    return worker;
  };

  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isWorkerMessage(message)) return;
    switch (message.type) {
      case 'paas:routes-applied':
        acks.applied(worker.id, message.routes);
        break;
      case 'paas:routes-removed':
        acks.removed(worker.id, message.apps);
        break;
      case 'paas:metrics-request':
        aggregator.clusterMetrics().then(
          (text) => send(worker, { type: 'paas:metrics', id: message.id, contentType: aggregator.contentType, text }),
          (err: unknown) => send(worker, { type: 'paas:metrics', id: message.id, error: toError(err).message }),
        );
        break;
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    acks.leave(worker.id);
    if (stopping) return;
    restarts++;
    const delay = Math.min(5000, 100 * 2 ** Math.min(restarts, 6));
    logger.error({ worker: worker.id, pid: worker.process.pid, code, signal, restartInMs: delay }, 'router worker died; starting another');
    setTimeout(() => {
      if (!stopping) fork();
    }, delay).unref();
  });
  // A worker that has served a while resets the restart backoff.
  setInterval(() => (restarts = Math.max(0, restarts - 1)), 60_000).unref();

  for (let i = 0; i < config.workers; i++) fork();
  logger.info({ workers: config.workers, port: config.port, tlsPort: config.tlsPort }, 'router primary started');

  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping the router workers');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    const exited = workers.map((w) => new Promise((resolve) => (w.isDead() ? resolve(undefined) : w.once('exit', resolve))));
    for (const w of workers) w.process.kill('SIGTERM');
    const timeout = setTimeout(() => {
      logger.warn('workers did not stop in time: killing them');
      for (const w of workers) w.process.kill('SIGKILL');
    }, workerStopMs);
    await Promise.all(exited);
    clearTimeout(timeout);
    await redis.quit().catch(() => redis.disconnect());
    logger.info('router stopped');
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

function send(worker: Worker, message: PrimaryMessage): void {
  if (worker.isConnected()) worker.send(message);
}

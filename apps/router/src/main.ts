import http from 'node:http';
import { Redis } from 'ioredis';
import { createLogger, RedisKeys, RedisRouteStore, toError } from '@paas/shared';
import { loadConfig } from './config.js';
import { HttpProxy } from './proxy.js';
import { RoundRobin } from './round-robin.js';
import { createRouterServer } from './router-server.js';
import { RouteSync } from './route-sync.js';
import { RouteTable } from './route-table.js';
import { UpgradeProxy } from './upgrade-proxy.js';

/** How long in-flight requests and websockets get to finish after SIGTERM. */
const shutdownGraceMs = 10_000;

// One process holds the table, the sync and the server. For several cores later, each cluster worker
// runs this same wiring (its own table and sync; the store fans changes out to every subscriber).
const config = loadConfig(process.env);
const logger = createLogger('router', config.logLevel);

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
const store = new RedisRouteStore(redis, new RedisKeys(config.redisPrefix));

const table = new RouteTable();
const sync = new RouteSync(store, table, { logger, resyncMs: config.resyncMs });

const balancer = new RoundRobin();
// Pooled keep-alive connections to backends; idle ones are dropped before node's default 5s server
// keep-alive timeout would close them under us.
const agent = new http.Agent({ keepAlive: true, timeout: 4000, scheduling: 'lifo' });
const proxy = new HttpProxy({ agent, balancer, timeoutMs: config.timeoutMs, logger });
const upgrades = new UpgradeProxy({ balancer, timeoutMs: config.timeoutMs, logger });
const server = createRouterServer({ table, synced: () => sync.synced, domain: config.domain, proxy, upgrades, logger });

server.on('error', (err) => {
  logger.fatal({ err }, 'router server failed');
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  logger.info({ host: config.host, port: config.port, domain: config.domain }, 'router listening');
});
void sync.start();

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    logger.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal, tunnels: upgrades.open }, 'shutting down: no new connections');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const grace = setTimeout(() => {
    logger.warn('grace period over: closing remaining connections');
    server.closeAllConnections();
    upgrades.closeAll();
  }, shutdownGraceMs);
  await sync.stop();
  await closed;
  clearTimeout(grace);
  agent.destroy();
  await redis.quit().catch(() => redis.disconnect());
  logger.info('router stopped');
  process.exit(0);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, (s: NodeJS.Signals) => {
    shutdown(s).catch((err: unknown) => {
      logger.error({ err: toError(err) }, 'shutdown failed');
      process.exit(1);
    });
  });
}

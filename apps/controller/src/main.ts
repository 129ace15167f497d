import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import pg from 'pg';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import Docker from 'dockerode';
import { RedisKeys, RedisRouteStore, buildQueueName, createLogger, dockerOptions, type BuildJobData } from '@paas/shared';
import { loadConfig, webUrl } from './config.js';
import { migrate } from './db/migrator.js';
import { failOrphanedBuilds } from './db/builds.js';
import { TokenService } from './auth/token-service.js';
import { DockerHostBackend } from './runtime/docker-host-backend.js';
import { RoutePublisher } from './deploy/route-publisher.js';
import { AppLocks } from './deploy/app-lock.js';
import { Deployer } from './deploy/deployer.js';
import { httpProbe } from './deploy/probe.js';
import { ReleaseService } from './deploy/release-service.js';
import { PushService } from './deploy/push-service.js';
import { Reconciler } from './deploy/reconciler.js';
import { RepoManager } from './git/repo-manager.js';
import { PendingPushes } from './git/git-http.js';
import { createHttpApp } from './api/http-app.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger('controller', config.logLevel);

  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 20 });
  const applied = await migrate(pool);
  if (applied.length) log.info({ applied }, 'migrations applied');
  const orphaned = await failOrphanedBuilds(pool);
  if (orphaned) log.warn({ builds: orphaned }, 'marked builds left by a previous controller as failed');

  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const keys = new RedisKeys(config.redisPrefix);
  const queue = new Queue<BuildJobData>(buildQueueName, { connection: redis, prefix: keys.bull });

  const docker = new Docker(dockerOptions(config.dockerHost));
  const runtime = new DockerHostBackend({
    docker,
    hostName: config.hostName,
    publishAddress: config.containerAddress,
    address: config.backendHost,
    cluster: config.cluster,
    log,
  });
  await runtime.ping();

  const routes = new RoutePublisher(new RedisRouteStore(redis, keys), config.domain, 3000, log);
  const locks = new AppLocks(pool);
  const deployer = new Deployer({
    pool,
    runtime,
    routes,
    locks,
    probe: httpProbe,
    log,
    bootTimeoutMs: config.bootTimeoutMs,
    stopGraceSeconds: config.stopGraceSeconds,
  });
  const releases = new ReleaseService(pool, deployer);
  const repos = new RepoManager(config.reposDir);
  // Derived from the platform secret, so every controller sharing PAAS_HOME agrees on it.
  const hookToken = createHmac('sha256', config.secret).update('paas git hook').digest('hex');
  const internalHost = config.api.host === '0.0.0.0' || config.api.host === '::' ? '127.0.0.1' : config.api.host;
  await repos.writeHookSettings({ url: `http://${internalHost}:${config.api.port}`, token: hookToken });
  await repos.installAllHooks();

  const pushService = new PushService({
    pool,
    redis,
    keys,
    queue,
    releases,
    buildsDir: config.buildsDir,
    buildTimeoutMs: config.buildTimeoutMs,
    webUrl: (app) => webUrl(config, app),
    log,
  });

  const app = createHttpApp({
    config,
    pool,
    tokens: new TokenService(pool, config.secret, config.jwtTtl),
    repos,
    pushes: new PendingPushes(),
    deployer,
    releases,
    pushService,
    runtime,
    hookToken,
    log,
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.api.port, config.api.host, () => resolve(s));
    s.on('error', reject);
  });
  // Builds stream for minutes: no request timeout on this server.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  log.info({ url: config.api.url, port: config.api.port }, 'controller listening');

  const reconciler = new Reconciler(pool, deployer, routes, config.reconcileIntervalMs, log);
  reconciler.start();

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    server.close();
    await reconciler.stop();
    await queue.close();
    redis.disconnect();
    await pool.end();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(`controller: ${(err as Error).message}`);
  process.exit(1);
});

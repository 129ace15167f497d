import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import Docker from 'dockerode';
import { RedisKeys, createLogger } from '@paas/shared';
import { loadConfig } from './config.js';
import { BuilderRegistry } from './builder.js';
import { BuildpackBuilder } from './buildpack-builder.js';
import { BuildRunner } from './build-runner.js';
import { startBuildWorker } from './build-worker.js';
import { createHealthServer } from './health.js';

/** The builder process: consumes build jobs, turns source into images, answers /healthz. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger('builder', config.logLevel);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', (err) => log.warn({ err }, 'redis connection error'));
  const docker = new Docker(config.docker);
  const keys = new RedisKeys(config.redisPrefix);

  const builders = new BuilderRegistry([
    new BuildpackBuilder({
      docker,
      buildImage: config.buildImage,
      runImage: config.runImage,
      cluster: config.cluster,
      memoryMb: config.memoryMb,
      buildpacksDir: config.buildpacksDir,
      extraCaCerts: config.buildCaFile ? readFileSync(config.buildCaFile) : undefined,
    }),
  ]);
  const runner = new BuildRunner({ redis, keys, builders, timeoutSeconds: config.timeoutSeconds, log });
  const worker = startBuildWorker({ connection: redis, keys, runner, concurrency: config.concurrency, log });

  const health = createHealthServer(redis, docker);
  health.listen(config.healthPort, () => log.info({ port: config.healthPort, builders: builders.names }, 'builder ready'));

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: waiting for running builds');
    await worker.close();
    health.close();
    await redis.quit().catch(() => redis.disconnect());
    log.info('stopped');
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

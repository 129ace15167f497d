import { Redis } from 'ioredis';
import Docker from 'dockerode';
import { DiskGuard, ImageRegistry, PlatformStatusBoard, RedisKeys, SupervisorBeacon, buildEnvBox, createLogger, exitOnFatalErrors, registrySettings } from '@paas/shared';
import { loadConfig } from './config.js';
import { createBuilderRegistry } from './builder-wiring.js';
import { BuildRunner } from './build-runner.js';
import { defaultOutputLimits } from './build-output.js';
import { startBuildWorker } from './build-worker.js';
import { createHealthServer } from './health.js';
import { BuilderMetrics } from './builder-metrics.js';
import { LayerGc } from './layer-gc.js';
import { builderLabel, newBuilderIdentity, removeLeftoverBuildContainers } from './leftover-builds.js';

/** The builder process: consumes build jobs, turns source into images, answers /healthz. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger('builder', config.logLevel);
  exitOnFatalErrors(log);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', (err) => log.warn({ err }, 'redis connection error'));
  const docker = new Docker(config.docker);
  const keys = new RedisKeys(config.redisPrefix);

  // Build containers a killed builder left behind (sleep infinity) go before this one takes builds,
  // and on a timer (one whose job lock had not expired yet at start).
  const self = newBuilderIdentity();
  const sweep = (): Promise<unknown> =>
    removeLeftoverBuildContainers({ docker, redis, keys, cluster: config.cluster, self, log }).catch((err: unknown) =>
      log.warn({ err }, 'could not look for leftover build containers'),
    );
  await sweep();
  const sweepTimer = setInterval(() => void sweep(), 60_000);
  sweepTimer.unref();

  const builders = createBuilderRegistry(config, { docker, redis, keys, log, builderId: builderLabel(self) });
  // Every release image goes to the registry (PAAS_REGISTRY), where the hosts pull it from.
  const registry = registrySettings(config.registry);
  const imageRegistry = registry ? new ImageRegistry(registry) : undefined;
  if (imageRegistry) log.info({ registry: registry!.address }, 'release images are pushed to the registry');
  const runner = new BuildRunner({
    ...(imageRegistry ? { publish: async (image: string, signal: AbortSignal) => void (await imageRegistry.push(docker, image, { signal })) } : {}),
    redis,
    keys,
    builders,
    timeoutSeconds: config.timeoutSeconds,
    log,
    outputLimits: { ...defaultOutputLimits, maxTotalBytes: config.maxOutputBytes },
  });
  const envBox = config.secret === undefined ? undefined : buildEnvBox(config.secret);
  // Builds write the sources' disk and the engine's data directory (images, build containers): the
  // latter is probed only for an engine on this machine (a unix socket), whose path is ours too.
  const engineRoot = 'socketPath' in config.docker ? await docker.info().then((i: { DockerRootDir?: string }) => i.DockerRootDir, () => undefined) : undefined;
  const disk = new DiskGuard({ paths: [config.sourcesDir, ...(engineRoot ? [engineRoot] : [])], minFreeBytes: config.minFreeDiskBytes });
  const worker = startBuildWorker({ connection: redis, keys, runner, concurrency: config.concurrency, log, sourcesDir: config.sourcesDir, disk, ...(envBox ? { envBox } : {}) });

  // This host's supervised processes, for paas admin:status on any controller (hosts that run only a builder too).
  const beacon = new SupervisorBeacon({ board: new PlatformStatusBoard(redis, keys), stateFile: config.supervisorStateFile, log });
  beacon.start();

  const metrics = new BuilderMetrics();
  metrics.watch(worker);
  const health = createHealthServer(redis, docker, metrics);
  health.on('error', (err) => log.error({ err }, 'health server error'));
  health.listen(config.healthPort, config.healthHost, () => log.info({ port: config.healthPort, host: config.healthHost, builders: builders.names }, 'builder ready'));

  // Shared layer images no slug stands on any more go, while no build runs here.
  const layerGc = new LayerGc({ docker, cluster: config.cluster, minAgeMs: 60 * 60_000, log: log.child({ component: 'layer-gc' }) });
  const gcTimer = setInterval(() => {
    if (runner.running === 0) layerGc.collect().catch((err: unknown) => log.warn({ err }, 'layer image collection failed'));
  }, 10 * 60_000);
  gcTimer.unref();

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: waiting for running builds');
    clearInterval(gcTimer);
    clearInterval(sweepTimer);
    beacon.stop();
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

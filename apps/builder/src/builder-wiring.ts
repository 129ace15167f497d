import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';
import type { Redis } from 'ioredis';
import { EgressGuard, defaultStack, stackImage, type Logger, type RedisKeys } from '@paas/shared';
import type { BuilderConfig } from './config.js';
import { BuilderRegistry } from './builder.js';
import { BuildpackBuilder } from './buildpack-builder.js';
import { BuildpackFetcher } from './buildpack-fetcher.js';
import { DockerfileBuilder } from './dockerfile-builder.js';
import { RedisCacheEpochs } from './cache-epochs.js';
import { BuildTrust } from './build-trust.js';
import { SbomMaker } from './inventory/sbom-maker.js';

/** The builders of a builder process, wired from its configuration (main.ts and the integration tests). */
export function createBuilderRegistry(config: BuilderConfig, deps: { docker: Docker; redis: Redis; keys: RedisKeys; log: Logger; builderId?: string }): BuilderRegistry {
  const { docker } = deps;
  const fetcher = new BuildpackFetcher({
    cacheDir: config.buildpackCacheDir,
    guard: new EgressGuard({ ...config.egress, allowFileUrls: config.allowFileBuildpacks }),
    env: config.gitEnv,
    log: deps.log.child({ component: 'buildpack-fetcher' }),
  });
  const cacheEpochs = new RedisCacheEpochs(deps.redis, deps.keys);
  // Dockerfile builds have no stack (their FROM says what they run on): the build image only lends its launcher.
  const sbom = config.inventory ? new SbomMaker(docker) : undefined;
  return new BuilderRegistry([
    new DockerfileBuilder({ docker, buildImage: stackImage(config.buildImage, defaultStack), cluster: config.cluster, memoryMb: config.memoryMb, cpus: config.cpus, networkPool: config.networkPool, cacheEpochs, ...(sbom ? { sbom } : {}) }),
    new BuildpackBuilder({
      docker,
      buildImage: config.buildImage,
      runImage: config.runImage,
      cluster: config.cluster,
      memoryMb: config.memoryMb,
      cpus: config.cpus,
      pidsLimit: config.pidsLimit,
      networkPool: config.networkPool,
      buildpacksDir: config.buildpacksDir,
      fetcher,
      cacheEpochs,
      trust: new BuildTrust(docker, config.cluster, config.buildCaFile ? readFileSync(config.buildCaFile) : undefined),
      ...(deps.builderId ? { builderId: deps.builderId } : {}),
      ...(sbom ? { sbom } : {}),
    }),
  ]);
}

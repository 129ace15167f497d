import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { rm } from 'node:fs/promises';
import type { BuildJobData, BuildResult, DiskGuard, Logger, RedisKeys, SecretBox } from '@paas/shared';
import { BuildLogWriter, buildQueueName, toError } from '@paas/shared';
import { buildIdOf, buildJobName, parseBuildJob } from './build-job.js';
import type { BuildRunner } from './build-runner.js';
import { BuildFailedError, describeFailure } from './build-runner.js';

export interface BuildWorkerOptions {
  /** ioredis connection with maxRetriesPerRequest: null (BullMQ duplicates it for blocking reads). */
  connection: Redis;
  keys: RedisKeys;
  runner: BuildRunner;
  concurrency: number;
  log: Logger;
  /** Opens the config vars sealed into each job (buildEnvBox of PAAS_SECRET). */
  envBox?: SecretBox;
  /** The directory jobs' sources must lie in (BuilderConfig.sourcesDir). */
  sourcesDir: string;
  /** Refuses a build while a disk it writes to (the sources, the engine's data) is nearly full. */
  disk?: DiskGuard;
}

/**
 * Consumes the `builds` queue. A build is never retried: a failed job fails with UnrecoverableError
 * (and a job stalled by a builder that died fails rather than running twice).
 */
export function startBuildWorker(o: BuildWorkerOptions): Worker<BuildJobData, BuildResult> {
  const worker = new Worker<BuildJobData, BuildResult>(
    buildQueueName,
    async (job) => {
      try {
        if (job.name !== buildJobName) throw new Error(`unknown job name "${job.name}"`);
        const parsed = parseBuildJob(job.data, { envBox: o.envBox, sourcesDir: o.sourcesDir });
        await o.disk?.assertRoom('builds').catch(async (err: unknown) => {
          await rm(parsed.sourcePath, { force: true }).catch(() => undefined);
          throw err;
        });
        return await o.runner.run(parsed, job.id);
      } catch (err) {
        if (!(err instanceof BuildFailedError)) await recordEarlyFailure(o, job.data, err);
        throw new UnrecoverableError(toError(err).message);
      }
    },
    { connection: o.connection, prefix: o.keys.bull, concurrency: o.concurrency, maxStalledCount: 0 },
  );
  worker.on('failed', (job, err) => o.log.info({ job: job?.id, err: err.message }, 'build job failed'));
  worker.on('error', (err) => o.log.error({ err }, 'build worker error'));
  return worker;
}

/** A job refused before its build started still ends its output stream, when it names a build. */
async function recordEarlyFailure(o: BuildWorkerOptions, data: unknown, err: unknown): Promise<void> {
  const buildId = buildIdOf(data);
  o.log.warn({ build: buildId, err: toError(err) }, 'build job refused');
  if (buildId === undefined) return;
  const failure = describeFailure(err);
  await new BuildLogWriter(o.connection, o.keys.buildLog(buildId)).failed(failure.code, failure.message).catch(() => undefined);
}

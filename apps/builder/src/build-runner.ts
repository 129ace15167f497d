import { rm } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { BuildJobData, BuildResult, Logger, RedisKeys } from '@paas/shared';
import { AppError, BuildLogWriter, isAppError, toError } from '@paas/shared';
import type { BuilderRegistry } from './builder.js';
import { BuildOutput, defaultOutputLimits, type OutputLimits } from './build-output.js';
import { readSourceListing } from './source-listing.js';
import { formatSize } from './format-size.js';
import { watchCancellation } from './build-cancel.js';

export interface BuildRunnerOptions {
  redis: Redis;
  keys: RedisKeys;
  builders: BuilderRegistry;
  /** A build running longer is killed (seconds). */
  timeoutSeconds: number;
  log: Logger;
  /** After a timeout, how long a builder may take to stop before it is given up on (ms). */
  stopGraceMs?: number;
  /** Bounds on what a build's processes may stream (default: defaultOutputLimits). */
  outputLimits?: OutputLimits;
  /**
   * Sends each built image to the image registry. A failure is shown and the build still succeeds:
   * the controller then sends the image to hosts with docker save | docker load.
   */
  publish?: (image: string, signal: AbortSignal) => Promise<void>;
}

/** How a build ended, as the controller reads it from the end entry. */
export interface BuildFailure {
  code: string;
  message: string;
}

/**
 * Runs one build: picks the builder, streams the output, enforces the time limit, stops when the
 * build is cancelled, always ends the output stream with exactly one succeeded/failed entry and
 * always deletes the source tar.
 */
export class BuildRunner {
  private active = 0;

  constructor(private readonly o: BuildRunnerOptions) {}

  /** Builds in progress in this process. */
  get running(): number {
    return this.active;
  }

  /** Resolves with the result, or rejects with the failure once it is recorded in the stream. */
  async run(job: BuildJobData, jobId?: string): Promise<BuildResult> {
    this.active++;
    try {
      return await this.runOne(job, jobId);
    } finally {
      this.active--;
    }
  }

  private async runOne(job: BuildJobData, jobId?: string): Promise<BuildResult> {
    const log = this.o.log.child({ app: job.app, build: job.buildId, job: jobId });
    const writer = new BuildLogWriter(this.o.redis, this.o.keys.buildLog(job.buildId));
    const output = new BuildOutput(writer, log, this.o.outputLimits ?? defaultOutputLimits);
    // Stopped by the time limit, or by the controller when the git client disconnects.
    const stop = new AbortController();
    const timeoutError = new AppError('build_failed', `Build timed out after ${this.o.timeoutSeconds}s and was stopped`, {
      details: { reason: 'timeout' },
    });
    const cancelledError = new AppError('build_failed', 'Build cancelled: the git client disconnected', { details: { reason: 'cancelled' } });
    const timer = setTimeout(() => stop.abort(timeoutError), this.o.timeoutSeconds * 1000);
    const unwatch = watchCancellation(this.o.redis, this.o.keys.buildCancel(job.buildId), () => stop.abort(cancelledError), log);
    const started = Date.now();
    const cleanups: Promise<unknown>[] = [];
    const cleanup = (work: Promise<unknown>): void => {
      cleanups.push(work.catch((err: unknown) => log.warn({ err }, 'build cleanup failed')));
    };
    let ended = false;
    // the source tar is deleted before the end entry is written: a reader that saw the end sees it gone
    const removeSource = (): Promise<void> =>
      rm(job.sourcePath, { force: true }).catch((err: unknown) => log.warn({ err }, 'could not delete the source tar'));
    try {
      log.info('build started');
      await output.heading(`Building ${job.app} (commit ${job.commit.slice(0, 7)})`);
      const source = await readSourceListing(job.sourcePath);
      const builder = this.o.builders.select({ job, source });
      const work = builder.build({ job, source, output, signal: stop.signal, log, cleanup });
      const result = await untilStopped(work, stop.signal, this.o.stopGraceMs ?? 15_000);
      if (this.o.publish) {
        await output.heading('Pushing the image to the registry');
        try {
          await this.o.publish(result.image, stop.signal);
        } catch (err) {
          if (stop.signal.aborted) throw err;
          log.warn({ err, image: result.image }, 'pushing the image to the registry failed');
          await output.warn(`The registry did not take the image (${(err as Error).message.split('\n')[0]}): hosts get it from this builder instead`);
        }
      }
      await output.heading('Build succeeded');
      await output.info(`Image: ${result.image} (${formatSize(result.imageSize)})`);
      await output.close();
      await removeSource();
      await writer.succeeded(result);
      ended = true;
      log.info({ image: result.image, imageSize: result.imageSize, ms: Date.now() - started }, 'build succeeded');
      return result;
    } catch (thrown) {
      const err: unknown = stop.signal.aborted ? stop.signal.reason : thrown;
      const failure = describeFailure(err);
      log[failure.code === 'internal' ? 'error' : 'info']({ err: toError(thrown), code: failure.code, ms: Date.now() - started }, 'build failed');
      if (!ended) {
        await output.warn((failure.message.split('\n')[0] ?? '').replace(/:$/, ''));
        await output.close();
        await removeSource();
        await writer.failed(failure.code, failure.message).catch((e: unknown) => log.error({ err: e }, 'could not record the build failure'));
      }
      throw new BuildFailedError(failure);
    } finally {
      clearTimeout(timer);
      unwatch();
      await removeSource();
      await Promise.all(cleanups);
    }
  }
}

/** A failure already recorded in the build's output stream. */
export class BuildFailedError extends Error {
  constructor(readonly failure: BuildFailure) {
    super(`${failure.code}: ${failure.message}`);
    this.name = 'BuildFailedError';
  }
}

/** The code and message the controller gets: the AppError's own, or `internal` for anything unexpected. */
export function describeFailure(err: unknown): BuildFailure {
  if (isAppError(err)) return { code: err.code, message: err.message };
  return { code: 'internal', message: `Build failed on an internal error: ${toError(err).message}` };
}

/** `work`'s outcome; after an abort, the abort reason if `work` has not settled within the grace period. */
function untilStopped<T>(work: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      timer = setTimeout(() => reject(signal.reason), graceMs);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

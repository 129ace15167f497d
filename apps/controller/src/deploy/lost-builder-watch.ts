import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import { BuildLogWriter, type BuildJobData, type Logger, type RedisKeys } from '@paas/shared';

export const lostBuilderMessage = 'the builder was lost during the build (it stopped or was killed); push again';
export const lostJobMessage = 'the build queue lost this build while it ran (Redis restarted empty); push again';

export interface LostBuilderWatchOptions {
  redis: Redis;
  keys: RedisKeys;
  queue: Queue<BuildJobData>;
  buildId: string;
  log: Logger;
  /** How often the job is looked at (default 5 s). */
  intervalMs?: number;
  /**
   * The job is gone from the queue (Redis came back empty): adds it again and resolves true when no
   * builder had started it, resolves false when one had (the build then fails with lostJobMessage,
   * and its builder is told to stop).
   */
  requeue?: () => Promise<boolean>;
}

const jobGone = 'its job is gone';

/**
 * Watches a build a push waits for: when its job is running but no builder holds its lock any more
 * (the builder was killed: BullMQ's lock expires 30 s after its last renewal), or it failed or went
 * without ending its output, the build's output is ended here with "the builder was lost", so the
 * push ends with that message instead of waiting for the build timeout. Two looks in a row must agree,
 * so a build ending (or being cancelled) between two reads is never taken for a lost one.
 */
export class LostBuilderWatch {
  private timer: NodeJS.Timeout | undefined;
  private strikes = 0;
  private stopped = false;

  constructor(private readonly o: LostBuilderWatchOptions) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.o.intervalMs ?? 5000);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      const lost = await this.lost();
      this.strikes = lost ? this.strikes + 1 : 0;
      if (this.strikes >= 2 && !this.stopped) {
        if (lost === jobGone && this.o.requeue) {
          if (await this.o.requeue()) {
            this.o.log.warn({ build: this.o.buildId }, 'the job of a queued build was gone (Redis came back empty): queued again');
            this.strikes = 0;
            this.schedule();
            return;
          }
          this.o.log.warn({ build: this.o.buildId }, 'the job of a running build was gone (Redis came back empty)');
          await this.writer().failed('build_failed', lostJobMessage);
          await this.o.redis.set(this.o.keys.buildCancel(this.o.buildId), lostJobMessage, 'EX', 24 * 3600);
          return;
        }
        this.o.log.warn({ build: this.o.buildId, why: lost }, 'the builder of a build was lost');
        await this.writer().failed('build_failed', lostBuilderMessage);
        return;
      }
    } catch (err) {
      this.o.log.debug({ build: this.o.buildId, err: (err as Error).message }, 'could not look at a build job');
    }
    this.schedule();
  }

  private writer(): BuildLogWriter {
    return new BuildLogWriter(this.o.redis, this.o.keys.buildLog(this.o.buildId));
  }

  /** Why the build's builder is gone, or undefined while it may still end its output. */
  private async lost(): Promise<string | undefined> {
    const job = await this.o.queue.getJob(this.o.buildId);
    if (!job) return jobGone;
    const state = await job.getState();
    if (state === 'active') return (await this.o.redis.exists(this.o.keys.buildJobLock(this.o.buildId))) ? undefined : 'no builder holds its job';
    if (state === 'failed' || state === 'completed' || state === 'unknown') return `its job is ${state}`;
    return undefined; // waiting for a builder
  }
}

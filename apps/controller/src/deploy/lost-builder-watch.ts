import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import { BuildLogWriter, type BuildJobData, type Logger, type RedisKeys } from '@paas/shared';

export const lostBuilderMessage = 'the builder was lost during the build (it stopped or was killed); push again';

export interface LostBuilderWatchOptions {
  redis: Redis;
  keys: RedisKeys;
  queue: Queue<BuildJobData>;
  buildId: string;
  log: Logger;
  /** How often the job is looked at (default 5 s). */
  intervalMs?: number;
}

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
        this.o.log.warn({ build: this.o.buildId, why: lost }, 'the builder of a build was lost');
        await new BuildLogWriter(this.o.redis, this.o.keys.buildLog(this.o.buildId)).failed('build_failed', lostBuilderMessage);
        return;
      }
    } catch (err) {
      this.o.log.debug({ build: this.o.buildId, err: (err as Error).message }, 'could not look at a build job');
    }
    this.schedule();
  }

  /** Why the build's builder is gone, or undefined while it may still end its output. */
  private async lost(): Promise<string | undefined> {
    const job = await this.o.queue.getJob(this.o.buildId);
    if (!job) return 'its job is gone';
    const state = await job.getState();
    if (state === 'active') return (await this.o.redis.exists(this.o.keys.buildJobLock(this.o.buildId))) ? undefined : 'no builder holds its job';
    if (state === 'failed' || state === 'completed' || state === 'unknown') return `its job is ${state}`;
    return undefined; // waiting for a builder
  }
}

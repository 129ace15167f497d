import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import { BuildLogWriter, type BuildJobData, type RedisKeys } from '@paas/shared';

/** Stopping builds and purging build caches: what the controller asks of the builders, through Redis. */
export class BuildControl {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly queue: Queue<BuildJobData>,
  ) {}

  /**
   * Cancels a build (its git client went away). A job no builder has taken yet is removed, and its
   * output ended here; a running one is stopped by its builder, which watches the cancel key, kills
   * the build container and ends the output with the failure.
   */
  async cancel(buildId: string, reason = 'the git client disconnected'): Promise<void> {
    await this.redis.set(this.keys.buildCancel(buildId), reason, 'EX', 24 * 3600);
    const job = await this.queue.getJob(buildId);
    if (!job || !((await job.isWaiting()) || (await job.isDelayed()))) return;
    try {
      await job.remove();
    } catch {
      return; // a builder took it meanwhile: it sees the cancel key
    }
    await new BuildLogWriter(this.redis, this.keys.buildLog(buildId)).failed('build_failed', `Build cancelled: ${reason}`);
  }

  /**
   * Purges an app's build cache: a new cache generation, so every builder starts the app's next build
   * with an empty cache (and removes the old one). Returns the new generation.
   */
  purgeCache(app: string): Promise<number> {
    return this.redis.incr(this.keys.buildCacheEpoch(app));
  }
}

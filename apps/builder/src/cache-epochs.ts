import type { Redis } from 'ioredis';
import type { RedisKeys } from '@paas/shared';

/** Where a builder learns an app's build cache generation (the controller increments it to purge). */
export interface CacheEpochs {
  current(app: string): Promise<string>;
}

export class RedisCacheEpochs implements CacheEpochs {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async current(app: string): Promise<string> {
    return (await this.redis.get(this.keys.buildCacheEpoch(app))) ?? '0';
  }
}

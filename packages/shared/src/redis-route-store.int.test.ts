import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { RedisRouteStore } from './redis-route-store.js';
import { RedisKeys } from './redis-keys.js';
import { routeStoreContract } from './route-store.contract.js';
import { testRedisUrl } from '@paas/test-kit';

routeStoreContract('RedisRouteStore', async () => {
  const redis = new Redis(testRedisUrl());
  const keys = new RedisKeys(`paas-test-${randomBytes(4).toString('hex')}`);
  return {
    store: new RedisRouteStore(redis, keys),
    close: async () => {
      const left = await redis.keys(`${keys.prefix}:*`);
      if (left.length) await redis.del(...left);
      redis.disconnect();
    },
  };
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import type { Express } from 'express';
import { MemoryRouteStore, RedisKeys, buildQueueName, createLogger, testRedisUrl, type BuildJobData } from '@paas/shared';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { createUser, type Role, type User } from '../db/users.js';
import { hashPassword } from '../auth/passwords.js';
import { TokenService } from '../auth/token-service.js';
import { MemoryRuntimeBackend } from '../runtime/memory-runtime-backend.js';
import { RoutePublisher } from '../deploy/route-publisher.js';
import { AppLocks } from '../deploy/app-lock.js';
import { Deployer } from '../deploy/deployer.js';
import { ReleaseService } from '../deploy/release-service.js';
import { PushService } from '../deploy/push-service.js';
import { RepoManager } from '../git/repo-manager.js';
import { PendingPushes } from '../git/git-http.js';
import { createHttpApp } from './http-app.js';

/** A controller HTTP app over a real PostgreSQL database, with the in-memory runtime and route store. */
export interface ApiHarness {
  app: Express;
  db: TestDatabase;
  runtime: MemoryRuntimeBackend;
  routes: MemoryRouteStore;
  releases: ReleaseService;
  tokens: TokenService;
  pushService: PushService;
  redis: Redis;
  keys: RedisKeys;
  user(email: string, role?: Role): Promise<{ user: User; token: string }>;
  close(): Promise<void>;
}

export async function createApiHarness(): Promise<ApiHarness> {
  const db = await createTestDatabase();
  const home = await mkdtemp(join(tmpdir(), 'paas-api-test-'));
  const log = createLogger('test', 'silent');
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const keys = new RedisKeys(`paas-test-${randomBytes(4).toString('hex')}`);
  const queue = new Queue<BuildJobData>(buildQueueName, { connection: redis, prefix: keys.bull });
  const runtime = new MemoryRuntimeBackend();
  const routeStore = new MemoryRouteStore();
  const routes = new RoutePublisher(routeStore, 'localhost', 10, log);
  const deployer = new Deployer({
    pool: db.pool,
    runtime,
    routes,
    locks: new AppLocks(db.pool),
    probe: async () => true,
    log,
    bootTimeoutMs: 1000,
    stopGraceSeconds: 0,
  });
  const releases = new ReleaseService(db.pool, deployer);
  const tokens = new TokenService(db.pool, 'x'.repeat(32), '1h');
  const repos = new RepoManager(join(home, 'repos'));
  const config = { domain: 'localhost', router: { port: 8080 }, api: { port: 5050, host: '127.0.0.1', url: 'http://127.0.0.1:5050' } };
  const pushService = new PushService({
    pool: db.pool,
    redis,
    keys,
    queue,
    releases,
    buildsDir: join(home, 'builds'),
    buildTimeoutMs: 5000,
    webUrl: (a) => `http://${a}.localhost:8080/`,
    log,
  });
  const app = createHttpApp({
    config,
    pool: db.pool,
    tokens,
    repos,
    pushes: new PendingPushes(),
    deployer,
    releases,
    pushService,
    runtime,
    hookToken: 'hook-token',
    log,
  });
  return {
    app,
    db,
    runtime,
    routes: routeStore,
    releases,
    tokens,
    pushService,
    redis,
    keys,
    async user(email, role = 'user') {
      const user = await createUser(db.pool, email, await hashPassword('secret-pw'), role);
      return { user, token: tokens.issueSession(user) };
    },
    async close() {
      await queue.close();
      const left = await redis.keys(`${keys.prefix}:*`);
      if (left.length) await redis.del(...left);
      redis.disconnect();
      await db.drop();
      await rm(home, { recursive: true, force: true });
    },
  };
}

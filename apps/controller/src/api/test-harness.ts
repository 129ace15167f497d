import type Docker from 'dockerode';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import type { Express } from 'express';
import { MemoryRouteStore, RedisInternalAccess, RedisKeys, SecretBox, buildEnvBox, buildQueueName, createLogger, type BuildJobData, type EgressGuard, type Logger } from '@paas/shared';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { createUser, type Role, type User } from '../db/users.js';
import { listAllApps } from '../db/apps.js';
import { hashPassword } from '../auth/passwords.js';
import { TokenService } from '../auth/token-service.js';
import { createAccessServices, type AccessServices } from '../auth/access-services.js';
import type { QuotaLimits } from '../db/quotas.js';
import { AppRenameService } from '../deploy/app-rename.js';
import { MemoryRuntimeBackend } from '../runtime/memory-runtime-backend.js';
import { RoutePublisher } from '../deploy/route-publisher.js';
import { AppLocks } from '../deploy/app-lock.js';
import { Deployer } from '../deploy/deployer.js';
import { ReleasePhase } from '../deploy/release-phase.js';
import { OneOffService } from '../deploy/one-off-service.js';
import { applyAppJsonFormation } from '../deploy/app-json-setup.js';
import { ReleaseService } from '../deploy/release-service.js';
import { PushService } from '../deploy/push-service.js';
import { SourceBuilds } from '../deploy/source-build.js';
import { RepoManager } from '../git/repo-manager.js';
import { PendingPushes, type GitHttpLimits } from '../git/git-http.js';
import { createHttpApp } from './http-app.js';
import { InternalAccessService } from '../network/internal-access-service.js';
import { PlatformStatus } from '../status/platform-status.js';
import { LogServices } from '../logs/log-services.js';
import { hostnamesOfApp } from '../db/domains.js';
import { routeSettingsOfApp } from '../db/router-settings.js';
import { DomainService } from '../domains/domain-service.js';
import { CertService } from '../domains/cert-service.js';
import type { HttpCheck } from '../deploy/probe.js';
import type { RuntimeBackend } from '../runtime/runtime-backend.js';
import type { RetryOptions } from '../runtime/transient-retry.js';
import { createAddons, type Addons } from '../addons/addon-wiring.js';
import { VolumeService, type VolumePolicy } from '../volumes/volume-service.js';
import { VulnService } from '../vulns/vuln-service.js';
import type { VulnPolicy } from '../vulns/vuln-policy.js';
import { AcmeService } from '../acme/acme-service.js';
import { HostProvisioner } from '../provision/host-provisioner.js';
import { testDatabaseAdminUrl, testRedisUrl } from '@paas/test-kit';
import { createWebhooks, type WebhookSettings, type Webhooks } from '../webhooks/webhook-wiring.js';

/** A controller HTTP app over a real PostgreSQL database, with the in-memory runtime and route store. */
export interface ApiHarness {
  app: Express;
  db: TestDatabase;
  /** The MemoryRuntimeBackend, unless options.runtime gave another. */
  runtime: MemoryRuntimeBackend;
  routes: MemoryRouteStore;
  releases: ReleaseService;
  tokens: TokenService;
  pushService: PushService;
  redis: Redis;
  keys: RedisKeys;
  access: AccessServices;
  /** App logs over the test's Redis prefix (no collector: the runtime is in memory). */
  logs: LogServices;
  /** Pushes git has let in, waiting for their hook's call. */
  pushes: PendingPushes;
  /** The apps' bare repositories (in a temporary directory). */
  repos: RepoManager;
  deployer: Deployer;
  /** With options.addons. */
  addons: Addons | undefined;
  /** App webhooks: the service, its queue and worker (over the test's Redis prefix). */
  webhooks: Webhooks;
  /** SBOMs, findings, advisory imports and release policies. */
  vulns: VulnService;
  user(email: string, role?: Role): Promise<{ user: User; token: string }>;
  close(): Promise<void>;
}

export interface ApiHarnessOptions {
  /** The platform's release policy on known vulnerabilities (default warn:high). */
  vulnPolicy?: VulnPolicy;
  /** The largest advisory upload (default 512 MB). */
  vulnDbMaxBytes?: number;
  /** The app.json health check runner given to the deployer (default: always passes). */
  check?: HttpCheck;
  /** Platform default quotas (generous unless a test wants otherwise). */
  defaultQuota?: Partial<QuotaLimits>;
  /** Login attempts per minute per email and per IP. */
  loginRateLimit?: number;
  /** Another runtime than the in-memory one (e.g. a DockerHostBackend for attach tests). */
  runtime?: RuntimeBackend;
  /** How long publishing a route waits for a router's acknowledgement (default 10 ms: no router). */
  ackTimeoutMs?: number;
  /** SIGTERM-to-SIGKILL grace of stops, PAAS_STOP_GRACE (default 0). */
  stopGraceSeconds?: number;
  /** PostgreSQL connections (default 10; main.ts uses 20). */
  poolMax?: number;
  /** How the deployer tries transient engine errors again (default: the deployer's own). */
  engineRetry?: RetryOptions;
  /** PAAS_DEFAULT_MEMORY_MB: the limit of processes without one (within the owner's quota); default none. */
  defaultMemoryMb?: number;
  /** Deadlines and bounds of git's push commands. */
  gitLimits?: Partial<GitHttpLimits>;
  /** The controller's logger (default: silent); the fuzzer reads the 500s' causes from it. */
  log?: Logger;
  /** The egress guard for drains and buildpack URLs (default: the strict one). */
  egress?: EgressGuard;
  /** PAAS_MAX_PUSH_MB in bytes (default 500 MB). */
  maxPushBytes?: number;
  /** PAAS_MAX_BOOT_SECONDS in ms (default 300 s). */
  maxBootMs?: number;
  /** The API's public URL, in apps' git URLs (default http://127.0.0.1:5050): tests that listen give theirs. */
  apiUrl?: string;
  /** PAAS_API_RATE_LIMIT: requests per caller an hour (default 1,000,000). */
  rateLimitPerHour?: number;
  /** The hosts a volume may be made on (default: the runtime's). */
  volumeHosts?: () => string[];
  /** PAAS_VOLUME_DRIVERS, PAAS_VOLUME_ALLOW_OPTIONS, PAAS_VOLUMES_PER_APP. */
  volumePolicy?: Partial<VolumePolicy>;
  /** Serve the automatic-certificate routes, against this ACME directory (passes run in the background). */
  acmeDirectoryUrl?: string;
  /** The built console served at /console (default: apps/console/dist). */
  consoleDir?: string;
  /** Serve the add-on routes, on the test PostgreSQL and Redis servers (tests must destroy what they make). */
  addons?: {
    limits?: { count: number; totalMb: number };
    /** PAAS_ADDON_REDIS_MODE, and the engine of dedicated Redis containers. */
    redisMode?: 'shared' | 'container';
    containers?: { docker: Docker; cluster: string; bindAddress: string };
  };
  /** App webhooks' retry policy and deadline (default: 3 sync attempts, 200 ms apart at first, 5 s a try), and a CA receivers are trusted with. */
  webhooks?: { settings?: Partial<WebhookSettings>; ca?: Buffer };
  /** A CA source tarball servers are trusted with, and the download's deadline (builds from a tarball). */
  sources?: { ca?: Buffer; fetchTimeoutMs?: number };
}

export async function createApiHarness(options: ApiHarnessOptions = {}): Promise<ApiHarness> {
  const db = await createTestDatabase({ poolMax: options.poolMax });
  const home = await mkdtemp(join(tmpdir(), 'paas-api-test-'));
  const log = options.log ?? createLogger('test', 'silent');
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const keys = new RedisKeys(`paas-test-${randomBytes(4).toString('hex')}`);
  const queue = new Queue<BuildJobData>(buildQueueName, { connection: redis, prefix: keys.bull });
  const runtime = (options.runtime ?? new MemoryRuntimeBackend()) as MemoryRuntimeBackend;
  const routeStore = new MemoryRouteStore();
  const routes = new RoutePublisher(routeStore, 'localhost', options.ackTimeoutMs ?? 10, log, (app) => hostnamesOfApp(db.pool, app), (app) => routeSettingsOfApp(db.pool, app));
  const secret = 'x'.repeat(32);
  const access = createAccessServices(
    db.pool,
    {
      secret,
      defaultQuota: { apps: 100, processes: 1000, memory_mb: 4096, builds: 2, ...options.defaultQuota },
      loginRateLimit: options.loginRateLimit ?? 100,
    },
    log,
  );
  const logs = new LogServices({ pool: db.pool, redis, keys, log, maxLines: 1500, cluster: 'test', ...(options.egress ? { egress: options.egress } : {}) });
  const locks = new AppLocks(db.pool);
  const deployer = new Deployer({
    pool: db.pool,
    runtime,
    routes,
    locks,
    probe: async () => true,
    check: options.check ?? (async () => ({ status: 200, body: 'ok' })),
    log,
    bootTimeoutMs: 1000,
    maxBootMs: options.maxBootMs,
    stopGraceSeconds: options.stopGraceSeconds ?? 0,
    cipher: access.cipher,
    ...(options.engineRetry ? { engineRetry: options.engineRetry } : {}),
    events: logs.events,
    ...(options.defaultMemoryMb !== undefined
      ? { defaultMemoryMb: (quotaMb: number | null) => access.quotas.processMemory(quotaMb, options.defaultMemoryMb!) }
      : {}),
  });
  const releasePhase = new ReleasePhase({
    pool: db.pool,
    oneOffs: new OneOffService({ pool: db.pool, cipher: access.cipher, runtime, log, quotas: access.quotas }),
    timeoutMs: 60_000,
    log,
    onFirstDeploy: (a, release, say) => applyAppJsonFormation({ pool: db.pool, quotas: access.quotas, formation: access.formation, reconcile: (x) => deployer.reconcile(x) }, a, release, say),
  });
  const webhooks = createWebhooks({
    pool: db.pool,
    redis,
    keys,
    cipher: access.cipher,
    guard: logs.egress,
    audit: access.audit,
    settings: { syncAttempts: 3, retryBaseMs: 200, timeoutMs: 5000, ...options.webhooks?.settings },
    ca: options.webhooks?.ca,
    log,
  });
  const publish = (e: Parameters<Webhooks['service']['publish']>[0]): Promise<void> => webhooks.service.publish(e);
  const releases = new ReleaseService(db.pool, deployer, access.cipher, releasePhase, publish);
  const tokens = new TokenService(db.pool, secret, '1h');
  const repos = new RepoManager(join(home, 'repos'));
  const config = { domain: 'localhost', router: { port: 8080 }, api: {
      port: 5050,
      host: '127.0.0.1',
      url: options.apiUrl ?? 'http://127.0.0.1:5050',
      rateLimitPerHour: options.rateLimitPerHour ?? 1_000_000,
      region: { name: 'test-region', description: 'the test cluster' },
    },
  };
  const vulns = new VulnService({ pool: db.pool, log, platformPolicy: options.vulnPolicy ?? { action: 'warn', severity: 'high' } });
  const pushService = new PushService({
    vulns,
    pool: db.pool,
    redis,
    keys,
    queue,
    releases,
    buildsDir: join(home, 'builds'),
    buildTimeoutMs: 5000,
    maxPushBytes: options.maxPushBytes,
    webUrl: (a) => `http://${a}.localhost:8080/`,
    log,
    quotas: access.quotas,
    cipher: access.cipher,
    buildEnvBox: buildEnvBox(secret),
    publish,
  });
  const pushes = new PendingPushes();
  const addons = options.addons
    ? createAddons({
        config: {
          postgresUrl: testDatabaseAdminUrl(),
          redisUrl: testRedisUrl(),
          publicHost: undefined,
          redisMode: options.addons.redisMode ?? 'shared',
          limits: options.addons.limits ?? { count: 10, totalMb: 100_000 },
          backupsDir: join(home, 'addon-backups'),
          backupsKept: 3,
        },
        pool: db.pool,
        cipher: access.cipher,
        releaseConfigChange: (a, d, u) => releases.releaseConfigChange(a, d, u),
        log,
        ...(options.addons.containers ? { containers: options.addons.containers } : {}),
      })
    : undefined;
  const acme = options.acmeDirectoryUrl
    ? new AcmeService({
        pool: db.pool,
        cipher: access.cipher,
        certs: new CertService({ pool: db.pool, store: routeStore, box: new SecretBox(secret), platformDomain: 'localhost', log }),
        challenges: routeStore,
        directoryUrl: options.acmeDirectoryUrl,
        renewBeforeMs: 30 * 24 * 3600_000,
        log,
      })
    : undefined;
  const certs = new CertService({ pool: db.pool, store: routeStore, box: new SecretBox(secret), platformDomain: 'localhost', log });
  const network = new InternalAccessService({ pool: db.pool, publisher: new RedisInternalAccess(redis, keys), audit: access.audit, log, internalDomain: 'internal' });
  const app = createHttpApp({
    config,
    pool: db.pool,
    tokens,
    access,
    repos,
    pushes,
    deployer,
    releases,
    pushService,
    runtime,
    hookToken: 'hook-token',
    domains: new DomainService({ pool: db.pool, platformDomain: 'localhost', republish: (a) => deployer.reconcile(a) }),
    certs,
    network,
    renames: new AppRenameService({
      pool: db.pool,
      locks,
      runtime,
      repos,
      routes,
      reconcile: (a, replace) => deployer.reconcile(a, { wait: true, ...(replace ? { replace } : {}) }),
      certs,
      network,
      logs,
      redis,
      keys,
      audit: access.audit,
      log,
    }),
    reconcileAll: async () => {
      for (const a of await listAllApps(db.pool)) await deployer.reconcile(a);
    },
    log,
    logs,
    ...(options.gitLimits ? { gitLimits: options.gitLimits } : {}),
    egress: logs.egress,
    status: new PlatformStatus({ stateFile: join(home, 'run', 'supervisor.json'), version: 'test' }),
    // the wire contract: every JSON answer must match its route's schema (@paas/shared/api-contract)
    checkResponses: true,
    vulns,
    ...(options.vulnDbMaxBytes ? { vulnDbMaxBytes: options.vulnDbMaxBytes } : {}),
    ...addons,
    ...(acme ? { acme } : {}),
    buildLogs: { reader: () => redis.duplicate(), key: (id) => keys.buildLog(id) },
    ...(options.consoleDir ? { consoleDir: options.consoleDir } : {}),
    webhooks: webhooks.service,
    sourceBuilds: new SourceBuilds({ pushService, guard: logs.egress, cipher: access.cipher, apiUrl: config.api.url, ca: options.sources?.ca, fetchTimeoutMs: options.sources?.fetchTimeoutMs, audit: access.audit, log }),
    provisioner: new HostProvisioner({ pool: db.pool, secret, timeouts: { connectMs: 3000 }, log }),
    volumes: new VolumeService({
      pool: db.pool,
      runtime,
      hosts: () => (options.volumeHosts ? options.volumeHosts() : [runtime.hostName]),
      policy: { drivers: [], allowOptions: false, perApp: 5, ...options.volumePolicy },
      releaseConfigChange: (a, d, u) => releases.releaseConfigChange(a, d, u),
      log,
    }),
  });
  return {
    app,
    db,
    runtime,
    routes: routeStore,
    releases,
    deployer,
    tokens,
    pushService,
    redis,
    keys,
    access,
    logs,
    pushes,
    repos,
    async user(email, role = 'user') {
      const user = await createUser(db.pool, email, await hashPassword('secret-pw'), role);
      return { user, token: tokens.issueSession(user) };
    },
    addons,
    webhooks,
    vulns,
    async close() {
      // Add-ons left by a test are dropped from the shared servers (their databases, roles, ACL users).
      if (addons) for (const a of await listAllApps(db.pool)) await addons.addons.destroyAppAddons(a);
      await acme?.settle();
      await webhooks.close();
      await queue.close();
      const left = await redis.keys(`${keys.prefix}:*`);
      if (left.length) await redis.del(...left);
      redis.disconnect();
      await db.drop();
      await rm(home, { recursive: true, force: true });
    },
  };
}

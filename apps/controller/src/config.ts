import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { defaultCliTarball } from './cli-package/cli-tarball.js';
import type { VulnPolicy } from './vulns/vuln-policy.js';
import { logLinesSchema, parseAddress, parseEnv, portSchema, registryEnvShape } from '@paas/shared';

const flag = z
  .enum(['true', 'false', '1', '0'])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

/** Comma-separated addresses or CIDR ranges. */
const addressList = z
  .string()
  .default('')
  .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s !== ''))
  .refine((list) => list.every((s) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(s) && parseAddress(s.split('/')[0]!) !== undefined), 'expected comma-separated addresses or CIDR ranges, e.g. 10.9.0.0/16,192.0.2.7');

const schema = z
  .object({
    PAAS_HOME: z.string().min(1).default(join(homedir(), '.paas')),
    PAAS_API_PORT: portSchema.default(5050),
    PAAS_API_HOST: z.string().min(1).default('127.0.0.1'),
    PAAS_API_URL: z.string().url().optional(),
    // Requests each API token (or client address without one) may make an hour (RateLimit-Remaining).
    PAAS_API_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000_000).default(20_000),
    // This cluster's region, as Heroku's API shows it (GET /regions, apps' region): a name and a description.
    PAAS_REGION: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be a short lowercase name such as eu-home or local').optional(),
    PAAS_REGION_DESCRIPTION: z.string().max(200).optional(),
    PAAS_ROUTER_PORT: portSchema.default(8080),
    // The routers' internal listener (service discovery): app networks may reach this port of their host.
    PAAS_ROUTER_INTERNAL_PORT: z.coerce.number().int().min(0).max(65535).default(5055),
    PAAS_INTERNAL_DOMAIN: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'must be a lowercase DNS name such as internal')
      .default('internal'),
    PAAS_DOMAIN: z
      .string()
      .regex(/^[a-z0-9.-]+$/, 'must be a lowercase DNS name such as localhost or apps.example.com')
      .default('localhost'),
    DATABASE_URL: z.string().min(1).default('postgres://postgres@127.0.0.1:5432/paas'),
    REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
    PAAS_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]+$/).default('paas'),
    DOCKER_HOST: z.string().optional(),
    PAAS_SECRET: z.string().min(32, 'must be at least 32 characters (npm run up generates one)'),
    PAAS_CLUSTER: z.string().regex(/^[a-z0-9-]+$/).default('local'),
    PAAS_HOST_NAME: z.string().regex(/^[a-z0-9.-]+$/).default('local'),
    PAAS_CONTAINER_ADDRESS: z.string().min(1).default('127.0.0.1'),
    PAAS_BACKEND_HOST: z.string().min(1).optional(),
    PAAS_BOOT_TIMEOUT: z.coerce.number().int().positive().default(60),
    // The deadline of a process's boot, app.json checks included: the boot timeout at most.
    PAAS_MAX_BOOT_SECONDS: z.coerce.number().int().positive().max(3600).default(300),
    // Dokku's default check: a process type without startup checks must stay up this long (0: none).
    PAAS_DEFAULT_CHECKS_WAIT: z.coerce.number().int().min(0).max(300).default(10),
    // How long a release phase (Procfile release:, app.json predeploy/postdeploy) may run.
    PAAS_RELEASE_PHASE_TIMEOUT: z.coerce.number().int().positive().max(7200).default(900),
    // App webhooks (issue 24): attempts of a sync delivery, the wait before its second attempt
    // (seconds, doubling after), and one attempt's deadline (seconds).
    PAAS_WEBHOOK_SYNC_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(10),
    PAAS_WEBHOOK_RETRY_BASE: z.coerce.number().positive().max(3600).default(30),
    PAAS_WEBHOOK_TIMEOUT: z.coerce.number().positive().max(60).default(10),
    PAAS_STOP_GRACE: z.coerce.number().int().min(0).max(3600).default(10),
    PAAS_DRAIN_SECONDS: z.coerce.number().min(0).default(5),
    PAAS_RELEASE_IMAGES_KEPT: z.coerce.number().int().min(1).max(1000).default(5),
    PAAS_RECONCILE_INTERVAL: z.coerce.number().int().positive().default(15),
    PAAS_HOST_CHECK_INTERVAL: z.coerce.number().int().positive().default(5),
    // Where apps' processes run: the registered Docker hosts, or a Docker Swarm (runtime/swarm/).
    PAAS_RUNTIME: z.enum(['docker-hosts', 'swarm']).default('docker-hosts'),
    // The Docker API of a Swarm manager (unix://, tcp:// or https:// with DOCKER_CERT_PATH's certificates).
    PAAS_SWARM_MANAGER: z.string().min(1).optional(),
    PAAS_DEFAULT_MEMORY_MB: z.coerce.number().int().min(16).default(512),
    // Processes (and threads) one app container may have: a fork bomb stops there.
    // The subnets of the apps' own networks (one per app per host) are cut from this pool.
    PAAS_NETWORK_POOL: z.string().regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/, 'must be an IPv4 CIDR such as 10.210.0.0/16').default('10.210.0.0/16'),
    PAAS_NETWORK_PREFIX: z.coerce.number().int().min(16).max(29).default(24),
    // The host firewall between apps, builds and the host (runtime/host-firewall.ts).
    PAAS_FIREWALL: z.enum(['auto', 'on', 'off']).default('auto'),
    PAAS_FIREWALL_BLOCK: z
      .string()
      .regex(/^(\s*\d+\.\d+\.\d+\.\d+(\/\d+)?\s*(,|$))*$/, 'must be IPv4 addresses or CIDRs separated by commas')
      .default(''),
    PAAS_FIREWALL_ALLOW_PORTS: z
      .string()
      .regex(/^(\s*\d{1,5}\s*(,|$))*$/, 'must be TCP port numbers separated by commas')
      .default(''),
    // The most one process may write to its own (ephemeral) filesystem, MB; checked each reconcile, a
    // process over it is replaced with a fresh one (0: unbounded). Volumes do not count.
    PAAS_MAX_PROCESS_DISK_MB: z.coerce.number().int().min(0).max(10_000_000).default(2048),
    PAAS_APP_PIDS_LIMIT: z.coerce.number().int().min(16).max(1_000_000).default(512),
    PAAS_BUILD_TIMEOUT: z.coerce.number().int().positive().default(900),
    // A pushed tree larger than this (MB) is refused before it fills the disk (and git's receive.maxInputSize).
    PAAS_MAX_PUSH_MB: z.coerce.number().int().min(1).max(100_000).default(500),
    // The platform's release policy on known vulnerabilities (apps may set their own): off, warn or
    // refuse, at or above a severity (warn:high, refuse:critical; the severity defaults to high).
    PAAS_VULN_POLICY: z
      .string()
      .regex(/^(off|warn|refuse)(:(critical|high|medium|low))?$/, 'expected off, warn[:SEVERITY] or refuse[:SEVERITY] (critical, high, medium, low)')
      .default('warn:high'),
    // The largest advisory database paas admin:vulndb:import uploads (MB).
    PAAS_VULNDB_MAX_MB: z.coerce.number().int().min(1).max(4096).default(512),
    // Builds are refused while the disk under PAAS_HOME's builds and repositories has less free (MB; 0: never).
    PAAS_MIN_FREE_DISK_MB: z.coerce.number().int().min(0).max(10_000_000).default(1024),
    PAAS_JWT_TTL: z.string().min(1).default('30d'),
    PAAS_ADMIN_EMAIL: z.string().email().optional(),
    // Per-user quotas when an admin has set none (paas admin:quota:set), and login attempts per minute.
    PAAS_DEFAULT_QUOTA_APPS: z.coerce.number().int().min(0).default(50),
    PAAS_DEFAULT_QUOTA_PROCESSES: z.coerce.number().int().min(0).default(100),
    PAAS_DEFAULT_QUOTA_MEMORY: z.coerce.number().int().positive().default(1024),
    PAAS_DEFAULT_QUOTA_BUILDS: z.coerce.number().int().min(0).default(2),
    PAAS_LOGIN_RATE_LIMIT: z.coerce.number().int().positive().default(10),
    // Logs and metrics (issue 7): lines kept per app, the metrics token, the stats interval, a CA for drains.
    PAAS_LOG_LINES: logLinesSchema,
    // Lines a second each process may write into its app's log; over it, lines are dropped with a notice (0: no limit).
    PAAS_LOG_RATE: z.coerce.number().int().min(0).max(1_000_000).default(1000),
    PAAS_METRICS_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16, 'must be at least 16 characters').optional()),
    PAAS_METRICS_INTERVAL: z.coerce.number().positive().default(10),
    PAAS_DRAIN_CA_FILE: z.string().min(1).optional(),
    // The built web console served at /console (default: apps/console/dist of this checkout).
    PAAS_CONSOLE_DIR: z.string().min(1).optional(),
    // The egress guard (drains, buildpack URLs): loopback targets for development and tests, private
    // networks for self-hosted receivers, more addresses or ranges never reached, file: buildpacks.
    PAAS_DRAIN_ALLOW_LOOPBACK: flag,
    PAAS_EGRESS_ALLOW_LOOPBACK: flag,
    PAAS_EGRESS_ALLOW_PRIVATE: flag,
    PAAS_EGRESS_DENY: addressList,
    PAAS_BUILDPACK_ALLOW_FILE_URLS: flag,
    // Add-ons (issue 18): the platform's servers (admin URLs; empty: none), the host apps reach them
    // at, the quota per user, and the pg:backups kept per add-on.
    PAAS_ADDON_POSTGRES_URL: z.string().optional(),
    PAAS_ADDON_REDIS_URL: z.string().optional(),
    PAAS_ADDON_HOST: z.string().regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or address, optionally with :port').optional(),
    PAAS_DEFAULT_QUOTA_ADDONS: z.coerce.number().int().min(0).default(10),
    PAAS_DEFAULT_QUOTA_ADDON_MB: z.coerce.number().int().min(0).default(20480),
    PAAS_ADDON_REDIS_MODE: z.enum(['shared', 'container']).default('shared'),
    PAAS_ADDON_BACKUPS_KEPT: z.coerce.number().int().min(1).max(100).default(5),
    // Volumes (issue 18): drivers besides local, whether users may give driver options, volumes per app.
    PAAS_VOLUME_DRIVERS: z.string().regex(/^[A-Za-z0-9_.:\/,-]*$/, 'must be volume driver names separated by commas').default(''),
    PAAS_VOLUME_ALLOW_OPTIONS: flag,
    PAAS_VOLUMES_PER_APP: z.coerce.number().int().min(0).max(100).default(5),
    // Automatic certificates (issue 18): the ACME directory, the account's contact, a CA bundle to
    // trust for the directory (a private or test CA), and how often renewals are looked for.
    PAAS_ACME_DIRECTORY_URL: z.string().url().default('https://acme-v02.api.letsencrypt.org/directory'),
    PAAS_ACME_EMAIL: z.string().email().optional(),
    PAAS_ACME_CA_FILE: z.string().min(1).optional(),
    PAAS_ACME_INTERVAL: z.coerce.number().int().min(60).default(3600),
    // The CLI package served at /cli/paas-cli.tgz (default: where npm run build leaves it).
    PAAS_CLI_TARBALL: z.string().startsWith('/', 'must be an absolute path').optional(),
    // The image registry release images go through (shared/image-registry.ts); npm run up points it at the embedded one.
    ...registryEnvShape,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .refine((env) => env.PAAS_RUNTIME !== 'swarm' || env.PAAS_SWARM_MANAGER !== undefined, {
    message: "is required with PAAS_RUNTIME=swarm (the Swarm manager's Docker API, e.g. tcp://10.0.0.2:2376)",
    path: ['PAAS_SWARM_MANAGER'],
  })
  .refine((env) => (env.PAAS_REGISTRY_USERNAME === undefined) === (env.PAAS_REGISTRY_PASSWORD === undefined), {
    message: 'PAAS_REGISTRY_USERNAME and PAAS_REGISTRY_PASSWORD go together',
    path: ['PAAS_REGISTRY_PASSWORD'],
  })
  .refine((env) => env.PAAS_BOOT_TIMEOUT <= env.PAAS_MAX_BOOT_SECONDS, {
    message: 'must be at most PAAS_MAX_BOOT_SECONDS',
    path: ['PAAS_BOOT_TIMEOUT'],
  })
  .transform((env) => {
    const home = resolve(env.PAAS_HOME);
    return {
      home,
      reposDir: join(home, 'repos'),
      buildsDir: join(home, 'builds'),
      api: {
        port: env.PAAS_API_PORT,
        host: env.PAAS_API_HOST,
        url: (env.PAAS_API_URL ?? `http://127.0.0.1:${env.PAAS_API_PORT}`).replace(/\/+$/, ''),
        rateLimitPerHour: env.PAAS_API_RATE_LIMIT,
        /** The one region this cluster is (GET /regions): PAAS_REGION, else the cluster's name. */
        region: { name: env.PAAS_REGION ?? env.PAAS_CLUSTER, description: env.PAAS_REGION_DESCRIPTION ?? `paas cluster ${env.PAAS_REGION ?? env.PAAS_CLUSTER}` },
      },
      router: { port: env.PAAS_ROUTER_PORT },
      /** Apps call each other at `<app>.<domain>` through the routers' internal listener on `port` (0: off). */
      internal: { port: env.PAAS_ROUTER_INTERNAL_PORT, domain: env.PAAS_INTERNAL_DOMAIN },
      domain: env.PAAS_DOMAIN,
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
      redisPrefix: env.PAAS_REDIS_PREFIX,
      dockerHost: env.DOCKER_HOST,
      secret: env.PAAS_SECRET,
      cluster: env.PAAS_CLUSTER,
      hostName: env.PAAS_HOST_NAME,
      /** The IP container ports are published on. */
      containerAddress: env.PAAS_CONTAINER_ADDRESS,
      /** Where the router and the boot probe reach published ports (defaults to the publish address). */
      backendHost: env.PAAS_BACKEND_HOST ?? env.PAAS_CONTAINER_ADDRESS,
      bootTimeoutMs: env.PAAS_BOOT_TIMEOUT * 1000,
      maxBootSeconds: env.PAAS_MAX_BOOT_SECONDS,
      releasePhaseTimeoutMs: env.PAAS_RELEASE_PHASE_TIMEOUT * 1000,
      webhooks: { syncAttempts: env.PAAS_WEBHOOK_SYNC_ATTEMPTS, retryBaseMs: env.PAAS_WEBHOOK_RETRY_BASE * 1000, timeoutMs: env.PAAS_WEBHOOK_TIMEOUT * 1000 },
      defaultChecksWaitSeconds: env.PAAS_DEFAULT_CHECKS_WAIT,
      stopGraceSeconds: env.PAAS_STOP_GRACE,
      maxProcessDiskBytes: env.PAAS_MAX_PROCESS_DISK_MB * 1024 * 1024,
      drainMs: env.PAAS_DRAIN_SECONDS * 1000,
      releaseImagesKept: env.PAAS_RELEASE_IMAGES_KEPT,
      reconcileIntervalMs: env.PAAS_RECONCILE_INTERVAL * 1000,
      hostCheckIntervalMs: env.PAAS_HOST_CHECK_INTERVAL * 1000,
      runtime: env.PAAS_RUNTIME === 'swarm' ? { kind: 'swarm' as const, manager: env.PAAS_SWARM_MANAGER! } : { kind: 'docker-hosts' as const },
      /** What placement reserves for a process without a memory limit. */
      defaultMemoryMb: env.PAAS_DEFAULT_MEMORY_MB,
      /** PID limit of every app and one-off container. */
      appPidsLimit: env.PAAS_APP_PIDS_LIMIT,
      firewall: {
        mode: env.PAAS_FIREWALL,
        block: list(env.PAAS_FIREWALL_BLOCK),
        allowPorts: list(env.PAAS_FIREWALL_ALLOW_PORTS).map(Number).filter((p) => p >= 1 && p <= 65535),
      },
      /** Where the subnets of the apps' networks come from. */
      networkPool: { cidr: env.PAAS_NETWORK_POOL, prefix: env.PAAS_NETWORK_PREFIX },
      buildTimeoutMs: env.PAAS_BUILD_TIMEOUT * 1000,
      maxPushBytes: env.PAAS_MAX_PUSH_MB * 1024 * 1024,
      vulnPolicy: parseVulnPolicy(env.PAAS_VULN_POLICY),
      vulnDbMaxBytes: env.PAAS_VULNDB_MAX_MB * 1024 * 1024,
      minFreeDiskBytes: env.PAAS_MIN_FREE_DISK_MB * 1024 * 1024,
      jwtTtl: env.PAAS_JWT_TTL,
      defaultQuota: {
        apps: env.PAAS_DEFAULT_QUOTA_APPS,
        processes: env.PAAS_DEFAULT_QUOTA_PROCESSES,
        memory_mb: env.PAAS_DEFAULT_QUOTA_MEMORY,
        builds: env.PAAS_DEFAULT_QUOTA_BUILDS,
      },
      loginRateLimit: env.PAAS_LOGIN_RATE_LIMIT,
      logLevel: env.LOG_LEVEL,
      logs: {
        lines: env.PAAS_LOG_LINES,
        linesPerSecond: env.PAAS_LOG_RATE,
        drainCaFile: env.PAAS_DRAIN_CA_FILE,
      },
      egress: {
        // PAAS_DRAIN_ALLOW_LOOPBACK is the setting's older name.
        allowLoopback: env.PAAS_EGRESS_ALLOW_LOOPBACK || env.PAAS_DRAIN_ALLOW_LOOPBACK,
        allowPrivate: env.PAAS_EGRESS_ALLOW_PRIVATE,
        allowFileUrls: env.PAAS_BUILDPACK_ALLOW_FILE_URLS,
        deny: env.PAAS_EGRESS_DENY,
      },
      metrics: { token: env.PAAS_METRICS_TOKEN, intervalMs: env.PAAS_METRICS_INTERVAL * 1000 },
      consoleDir: env.PAAS_CONSOLE_DIR,
      addons: {
        // The platform's own servers by default; set a variable empty to offer none of that kind.
        postgresUrl: (env.PAAS_ADDON_POSTGRES_URL ?? env.DATABASE_URL) || undefined,
        redisUrl: (env.PAAS_ADDON_REDIS_URL ?? env.REDIS_URL) || undefined,
        publicHost: env.PAAS_ADDON_HOST,
        // Redis add-ons as ACL users on the shared server, or a redis-server container each.
        redisMode: env.PAAS_ADDON_REDIS_MODE,
        limits: { count: env.PAAS_DEFAULT_QUOTA_ADDONS, totalMb: env.PAAS_DEFAULT_QUOTA_ADDON_MB },
        backupsDir: join(home, 'addon-backups'),
        backupsKept: env.PAAS_ADDON_BACKUPS_KEPT,
      },
      volumes: { drivers: list(env.PAAS_VOLUME_DRIVERS), allowOptions: env.PAAS_VOLUME_ALLOW_OPTIONS, perApp: env.PAAS_VOLUMES_PER_APP },
      acme: {
        directoryUrl: env.PAAS_ACME_DIRECTORY_URL,
        email: env.PAAS_ACME_EMAIL,
        caFile: env.PAAS_ACME_CA_FILE,
        intervalMs: env.PAAS_ACME_INTERVAL * 1000,
        renewBeforeMs: 30 * 24 * 3600_000,
      },
      cliTarball: env.PAAS_CLI_TARBALL ?? defaultCliTarball,
      /** The registry's settings as given (registrySettings() reads them, and its CA file, at start). */
      registry: {
        PAAS_REGISTRY: env.PAAS_REGISTRY,
        PAAS_REGISTRY_HOSTS_ADDRESS: env.PAAS_REGISTRY_HOSTS_ADDRESS,
        PAAS_REGISTRY_USERNAME: env.PAAS_REGISTRY_USERNAME,
        PAAS_REGISTRY_PASSWORD: env.PAAS_REGISTRY_PASSWORD,
        PAAS_REGISTRY_CA_FILE: env.PAAS_REGISTRY_CA_FILE,
      },
      adminEmail: env.PAAS_ADMIN_EMAIL ?? `admin@${env.PAAS_DOMAIN.includes('.') ? env.PAAS_DOMAIN : 'paas.local'}`,
    };
  });

function list(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export type ControllerConfig = z.infer<typeof schema>;

/** `warn:high` → { action: 'warn', severity: 'high' }. */
export function parseVulnPolicy(value: string): VulnPolicy {
  const [action, severity] = value.split(':') as [VulnPolicy['action'], VulnPolicy['severity'] | undefined];
  return { action, severity: severity ?? 'high' };
}

export function loadConfig(env: Record<string, string | undefined>): ControllerConfig {
  return parseEnv(schema, env);
}

/** The URL an app is served at through the router. */
export function webUrl(config: Pick<ControllerConfig, 'domain' | 'router'>, app: string): string {
  const port = config.router.port === 80 ? '' : `:${config.router.port}`;
  return `http://${app}.${config.domain}${port}/`;
}

export function gitUrl(config: Pick<ControllerConfig, 'api'>, app: string): string {
  return `${config.api.url}/${app}.git`;
}

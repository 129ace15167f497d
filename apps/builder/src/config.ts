import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseAddress, parseEnv, portSchema, registryEnvShape, supervisorStateFile, type NetworkPool } from '@paas/shared';

/** The repository's built-in buildpacks, found from this module's place (src/ and dist/ sit at the same depth). */
const defaultBuildpacksDir = fileURLToPath(new URL('../../../buildpacks', import.meta.url));

const positiveInt = z.coerce.number().int().min(1);

const schema = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  PAAS_REDIS_PREFIX: z.string().min(1).default('paas'),
  DOCKER_HOST: z
    .string()
    .regex(/^(unix|tcp|http):\/\/./, 'expected unix:///path/to/docker.sock or tcp://host:port')
    .optional(),
  /** The build and run images; `{stack}` is replaced by the build's stack (trixie, bookworm). */
  PAAS_BUILD_IMAGE: z.string().min(1).default('paas/build:{stack}'),
  PAAS_RUN_IMAGE: z.string().min(1).default('paas/run:{stack}'),
  PAAS_BUILD_CONCURRENCY: positiveInt.max(64).default(2),
  PAAS_BUILD_TIMEOUT: positiveInt.default(900),
  PAAS_BUILD_MEMORY_MB: positiveInt.min(64).default(2048),
  /** CPU cores a build container may use (fractions allowed). */
  PAAS_BUILD_CPUS: z.coerce.number().min(0.1).max(256).default(2),
  /** Output of a build's processes streamed to the user at most (MB); past it, one notice and the build goes on. */
  PAAS_BUILD_MAX_OUTPUT_MB: positiveInt.max(10_000).default(50),
  /** Processes (and threads) a build container may have. */
  PAAS_BUILD_PIDS_LIMIT: positiveInt.min(64).max(1_000_000).default(4096),
  /** Builds are refused while the sources' disk or the engine's data directory (a local engine) has less free (MB; 0: never). */
  PAAS_MIN_FREE_DISK_MB: z.coerce.number().int().min(0).max(10_000_000).default(1024),
  /** The build network's subnet is cut from this pool (as the apps' networks are). */
  PAAS_NETWORK_POOL: z.string().regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/, 'must be an IPv4 CIDR such as 10.210.0.0/16').default('10.210.0.0/16'),
  PAAS_NETWORK_PREFIX: z.coerce.number().int().min(16).max(29).default(24),
  PAAS_CLUSTER: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'lowercase letters, digits, dot, dash and underscore (it names volumes)')
    .default('local'),
  PAAS_BUILDPACKS_DIR: z.string().min(1).default(defaultBuildpacksDir),
  PAAS_HOME: z.string().min(1).default(join(homedir(), '.paas')),
  /** Where the controller writes pushed sources (default: $PAAS_HOME/builds, the controller's); jobs naming a file elsewhere are refused. */
  PAAS_BUILD_SOURCES_DIR: z.string().startsWith('/', 'must be an absolute path').optional(),
  /** Where buildpacks given by git URL are cached (default: $PAAS_HOME/buildpacks). */
  PAAS_BUILDPACK_CACHE: z.string().min(1).optional(),
  /** file:// buildpack URLs read the builder host's disk: off unless the operator allows them (tests do). */
  PAAS_BUILDPACK_ALLOW_FILE_URLS: z.enum(['0', '1', 'true', 'false']).default('0'),
  /** Each release image's package inventory (its SBOM): on unless 0. */
  PAAS_INVENTORY: z.enum(['0', '1', 'true', 'false']).default('1'),
  /** The egress guard's operator settings (see the controller's): loopback targets, private networks, more denied ranges. */
  PAAS_EGRESS_ALLOW_LOOPBACK: z.enum(['0', '1', 'true', 'false']).default('0'),
  PAAS_EGRESS_ALLOW_PRIVATE: z.enum(['0', '1', 'true', 'false']).default('0'),
  PAAS_EGRESS_DENY: z
    .string()
    .default('')
    .refine(
      (v) => v.split(',').map((s) => s.trim()).filter((s) => s !== '').every((s) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(s) && parseAddress(s.split('/')[0]!) !== undefined),
      'expected comma-separated addresses or CIDR ranges, e.g. 10.9.0.0/16,192.0.2.7',
    ),
  /** PEM certificates the build trusts in addition to its image's (networks that intercept TLS). */
  PAAS_BUILD_CA_FILE: z.string().min(1).optional(),
  /** The builder's own extra certificates; passed on to builds when PAAS_BUILD_CA_FILE is unset. */
  NODE_EXTRA_CA_CERTS: z.string().min(1).optional(),
  PAAS_BUILDER_PORT: portSchema.default(5053),
  /** The address the health port listens on: loopback unless the operator opens it. */
  PAAS_BUILDER_HOST: z.string().min(1).default('127.0.0.1'),
  /** The platform secret: opens the config vars the controller seals into each build job. */
  PAAS_SECRET: z.string().min(32, 'must be at least 32 characters (npm run up generates one)').optional(),
  /** The registry each release image is pushed to (shared/image-registry.ts). */
  ...registryEnvShape,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** The variables git keeps when fetching buildpacks. */
const gitEnvNames = ['PATH', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy', 'GIT_SSL_CAINFO', 'SSL_CERT_FILE'];

/** How dockerode reaches the engine. */
export type DockerConnection = { socketPath: string } | { protocol: 'http'; host: string; port: number };

export interface BuilderConfig {
  /** The only directory a job's source may be read from (and is deleted from): PAAS_BUILD_SOURCES_DIR. */
  sourcesDir: string;
  redisUrl: string;
  redisPrefix: string;
  docker: DockerConnection;
  /** The build image, `{stack}` standing for the build's stack (stackImage of @paas/shared). */
  buildImage: string;
  /** The run image slugs go onto, `{stack}` standing for the build's stack. */
  runImage: string;
  concurrency: number;
  /** A build running longer than this is killed (seconds). */
  timeoutSeconds: number;
  memoryMb: number;
  cpus: number;
  /** Bytes of a build's process output streamed at most (PAAS_BUILD_MAX_OUTPUT_MB). */
  maxOutputBytes: number;
  /** PID limit of each build container. */
  pidsLimit: number;
  /** PAAS_MIN_FREE_DISK_MB in bytes. */
  minFreeDiskBytes: number;
  /** Where the build network's subnet comes from. */
  networkPool: NetworkPool;
  /** Value of the `paas.cluster` label on everything the builder creates. */
  cluster: string;
  buildpacksDir: string;
  buildpackCacheDir: string;
  allowFileBuildpacks: boolean;
  /** Whether each release image gets a package inventory (PAAS_INVENTORY). */
  inventory: boolean;
  /** What the egress guard lets buildpack URLs reach besides public addresses. */
  egress: { allowLoopback: boolean; allowPrivate: boolean; deny: string[] };
  /** What git may see of the builder's environment when it fetches buildpacks: PATH and the proxies. */
  gitEnv: Record<string, string>;
  /** File of extra CA certificates given to build containers, if any. */
  buildCaFile: string | undefined;
  healthPort: number;
  healthHost: string;
  logLevel: string;
  /** PAAS_SECRET, when set; without it a job's sealed config vars cannot be opened. */
  secret: string | undefined;
  /** PAAS_REGISTRY … as given: registrySettings() reads them (and the CA file) at start. */
  registry: Partial<Record<keyof typeof registryEnvShape, string>>;
  /** The supervisor's state file on this host ($PAAS_HOME/run/supervisor.json), published for admin:status. */
  supervisorStateFile: string;
}

export function dockerConnection(dockerHost: string | undefined): DockerConnection {
  if (!dockerHost) return { socketPath: '/var/run/docker.sock' };
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  return { protocol: 'http', host: url.hostname, port: Number(url.port || 2375) };
}

/** Parses the builder's configuration once, from the environment given (main passes process.env). */
export function loadConfig(env: Record<string, string | undefined>): BuilderConfig {
  const e = parseEnv(schema, env);
  return {
    redisUrl: e.REDIS_URL,
    redisPrefix: e.PAAS_REDIS_PREFIX,
    docker: dockerConnection(e.DOCKER_HOST),
    buildImage: e.PAAS_BUILD_IMAGE,
    runImage: e.PAAS_RUN_IMAGE,
    concurrency: e.PAAS_BUILD_CONCURRENCY,
    timeoutSeconds: e.PAAS_BUILD_TIMEOUT,
    memoryMb: e.PAAS_BUILD_MEMORY_MB,
    cpus: e.PAAS_BUILD_CPUS,
    maxOutputBytes: e.PAAS_BUILD_MAX_OUTPUT_MB * 1024 * 1024,
    pidsLimit: e.PAAS_BUILD_PIDS_LIMIT,
    minFreeDiskBytes: e.PAAS_MIN_FREE_DISK_MB * 1024 * 1024,
    networkPool: { cidr: e.PAAS_NETWORK_POOL, prefix: e.PAAS_NETWORK_PREFIX },
    cluster: e.PAAS_CLUSTER,
    buildpacksDir: e.PAAS_BUILDPACKS_DIR,
    buildpackCacheDir: e.PAAS_BUILDPACK_CACHE ?? join(e.PAAS_HOME, 'buildpacks'),
    sourcesDir: resolve(e.PAAS_BUILD_SOURCES_DIR ?? join(e.PAAS_HOME, 'builds')),
    allowFileBuildpacks: e.PAAS_BUILDPACK_ALLOW_FILE_URLS === '1' || e.PAAS_BUILDPACK_ALLOW_FILE_URLS === 'true',
    inventory: e.PAAS_INVENTORY === '1' || e.PAAS_INVENTORY === 'true',
    egress: {
      allowLoopback: e.PAAS_EGRESS_ALLOW_LOOPBACK === '1' || e.PAAS_EGRESS_ALLOW_LOOPBACK === 'true',
      allowPrivate: e.PAAS_EGRESS_ALLOW_PRIVATE === '1' || e.PAAS_EGRESS_ALLOW_PRIVATE === 'true',
      deny: e.PAAS_EGRESS_DENY.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    },
    gitEnv: Object.fromEntries(gitEnvNames.flatMap((k) => (env[k] === undefined ? [] : [[k, env[k]!]]))),
    buildCaFile: e.PAAS_BUILD_CA_FILE ?? e.NODE_EXTRA_CA_CERTS,
    healthPort: e.PAAS_BUILDER_PORT,
    healthHost: e.PAAS_BUILDER_HOST,
    logLevel: e.LOG_LEVEL,
    secret: e.PAAS_SECRET,
    registry: {
      PAAS_REGISTRY: e.PAAS_REGISTRY,
      PAAS_REGISTRY_HOSTS_ADDRESS: e.PAAS_REGISTRY_HOSTS_ADDRESS,
      PAAS_REGISTRY_USERNAME: e.PAAS_REGISTRY_USERNAME,
      PAAS_REGISTRY_PASSWORD: e.PAAS_REGISTRY_PASSWORD,
      PAAS_REGISTRY_CA_FILE: e.PAAS_REGISTRY_CA_FILE,
    },
    supervisorStateFile: supervisorStateFile(e.PAAS_HOME),
  };
}

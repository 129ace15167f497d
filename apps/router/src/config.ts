import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { certKeyOf, logLinesSchema, parseEnv, portSchema } from '@paas/shared';
import type { CodecSetting } from './http-codec.js';

const durationMs = z.coerce.number().int().min(1);
const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const schema = z.object({
  PAAS_ROUTER_PORT: portSchema.default(8080),
  PAAS_ROUTER_TLS_PORT: portSchema.default(8443),
  PAAS_ROUTER_HOST: z.string().min(1).default('0.0.0.0'),
  PAAS_DOMAIN: z
    .string()
    .min(1)
    .transform((d) => d.toLowerCase().replace(/\.$/, ''))
    .default('localhost'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  PAAS_REDIS_PREFIX: z.string().min(1).default('paas'),
  // The key that opens the apps' certificate keys (certKeyOf(PAAS_SECRET): npm run up derives it);
  // PAAS_SECRET itself is still read when given (older setups), only to derive this key.
  PAAS_ROUTER_CERT_KEY: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (npm run up derives it from PAAS_SECRET)').optional(),
  PAAS_SECRET: z.string().min(32, 'must be at least 32 characters (npm run up generates one)').optional(),
  // The internal listener (service discovery: <app>.<PAAS_INTERNAL_DOMAIN> from other apps' containers).
  PAAS_ROUTER_INTERNAL_PORT: z.coerce.number().int().min(0).max(65535).default(5055),
  PAAS_ROUTER_INTERNAL_HOST: z.string().min(1).default('0.0.0.0'),
  PAAS_INTERNAL_DOMAIN: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'must be a lowercase DNS name such as internal')
    .default('internal'),
  PAAS_HOST_NAME: z.string().regex(/^[a-z0-9.-]+$/).default('local'),
  PAAS_ROUTER_RESYNC_MS: durationMs.default(30_000),
  PAAS_ROUTER_TIMEOUT_MS: durationMs.default(30_000),
  PAAS_ROUTER_CONNECT_TIMEOUT_MS: durationMs.default(5_000),
  PAAS_ROUTER_TLS_CERT: z.string().min(1).optional(),
  PAAS_ROUTER_TLS_KEY: z.string().min(1).optional(),
  PAAS_ROUTER_HTTPS_REDIRECT: flag.default('false'),
  PAAS_ROUTER_MAX_BODY_MB: z.coerce.number().positive().default(100),
  PAAS_ROUTER_MAX_HEADER_KB: z.coerce.number().int().min(1).max(1024).default(16),
  PAAS_ROUTER_BALANCE: z.enum(['round-robin', 'least-connections']).default('round-robin'),
  PAAS_ROUTER_EJECT_AFTER: z.coerce.number().int().min(1).default(3),
  PAAS_ROUTER_EJECT_MS: durationMs.default(10_000),
  PAAS_ROUTER_PARSER: z.enum(['auto', 'native', 'node']).default('auto'),
  PAAS_ROUTER_WORKERS: z.coerce.number().int().min(1).max(256).optional(),
  // The controller's setting: both trim the apps' log streams, to the same length.
  PAAS_LOG_LINES: logLinesSchema,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type BalanceStrategy = 'round-robin' | 'least-connections';

export interface RouterConfig {
  port: number;
  /** HTTPS with SNI (always on; without any certificate the handshakes fail). */
  tlsPort: number;
  host: string;
  /** The platform's domain: apps answer at `<app>.<domain>`; the router's own endpoints at `<domain>`. */
  domain: string;
  redisUrl: string;
  redisPrefix: string;
  /** Opens the private keys of the apps' certificates (sealed by the controller); none: only the platform certificate. */
  certKey: string | undefined;
  /** The key was derived from PAAS_SECRET given to the router (the router needs only PAAS_ROUTER_CERT_KEY). */
  certKeyFromSecret: boolean;
  /** Apps reach each other's internal names here (0: no internal listener); only sources the target allows. */
  internalPort: number;
  internalHost: string;
  /** `<app>.<internalDomain>` names an app on the internal listener. */
  internalDomain: string;
  /** This machine's host name in the cluster (PAAS_HOST_NAME): which app networks' subnets are local. */
  hostName: string;
  /** Full resync of the route table every this many ms (and retry after a failed sync). */
  resyncMs: number;
  /** First-byte timeout: how long a backend may take to start its response (ms). */
  timeoutMs: number;
  /** How long connecting to a backend may take (ms) before it counts as a failed connection. */
  connectTimeoutMs: number;
  /** Files of the platform certificate (for `*.<domain>`), served when no app certificate matches. */
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  /** Redirect plain HTTP to HTTPS for hosts the router has a certificate for. */
  httpsRedirect: boolean;
  /** Request bodies larger than this get a 413 (apps may carry their own limit in their route). */
  maxBodyMb: number;
  /** Request heads larger than this get a 431. */
  maxHeaderBytes: number;
  balance: BalanceStrategy;
  /** Consecutive failed connections after which a backend is left out… */
  ejectAfter: number;
  /** …for this long (ms). */
  ejectMs: number;
  /**
   * The HTTP/1.1 codec (http-codec.ts): `native` (node's parser through its internals), `node` (public
   * APIs only) or `auto` (native when node's parser has the expected shape, else node).
   */
  parser: CodecSetting;
  /** Worker processes (default: one per available CPU). */
  workers: number;
  /** Lines kept per app in its log stream (PAAS_LOG_LINES): access lines trim the stream to it. */
  logLines: number;
  logLevel: string;
}

/** Parses the router's configuration once, from the environment given (main passes process.env). */
export function loadConfig(env: Record<string, string | undefined>): RouterConfig {
  const e = parseEnv(schema, env);
  if ((e.PAAS_ROUTER_TLS_CERT === undefined) !== (e.PAAS_ROUTER_TLS_KEY === undefined)) {
    throw new Error('invalid configuration:\n  PAAS_ROUTER_TLS_CERT, PAAS_ROUTER_TLS_KEY: set both (the platform certificate and its key) or neither');
  }
  return {
    port: e.PAAS_ROUTER_PORT,
    tlsPort: e.PAAS_ROUTER_TLS_PORT,
    host: e.PAAS_ROUTER_HOST,
    domain: e.PAAS_DOMAIN,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.PAAS_REDIS_PREFIX,
    certKey: e.PAAS_ROUTER_CERT_KEY?.toLowerCase() ?? (e.PAAS_SECRET === undefined ? undefined : certKeyOf(e.PAAS_SECRET)),
    certKeyFromSecret: e.PAAS_ROUTER_CERT_KEY === undefined && e.PAAS_SECRET !== undefined,
    internalPort: e.PAAS_ROUTER_INTERNAL_PORT,
    internalHost: e.PAAS_ROUTER_INTERNAL_HOST,
    internalDomain: e.PAAS_INTERNAL_DOMAIN,
    hostName: e.PAAS_HOST_NAME,
    resyncMs: e.PAAS_ROUTER_RESYNC_MS,
    timeoutMs: e.PAAS_ROUTER_TIMEOUT_MS,
    connectTimeoutMs: e.PAAS_ROUTER_CONNECT_TIMEOUT_MS,
    tlsCertFile: e.PAAS_ROUTER_TLS_CERT,
    tlsKeyFile: e.PAAS_ROUTER_TLS_KEY,
    httpsRedirect: e.PAAS_ROUTER_HTTPS_REDIRECT,
    maxBodyMb: e.PAAS_ROUTER_MAX_BODY_MB,
    maxHeaderBytes: e.PAAS_ROUTER_MAX_HEADER_KB * 1024,
    balance: e.PAAS_ROUTER_BALANCE,
    ejectAfter: e.PAAS_ROUTER_EJECT_AFTER,
    ejectMs: e.PAAS_ROUTER_EJECT_MS,
    parser: e.PAAS_ROUTER_PARSER,
    workers: e.PAAS_ROUTER_WORKERS ?? availableParallelism(),
    logLines: e.PAAS_LOG_LINES,
    logLevel: e.LOG_LEVEL,
  };
}

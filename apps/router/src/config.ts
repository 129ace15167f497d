import { z } from 'zod';
import { parseEnv, portSchema } from '@paas/shared';

const durationMs = z.coerce.number().int().min(1);

const schema = z.object({
  PAAS_ROUTER_PORT: portSchema.default(8080),
  PAAS_ROUTER_HOST: z.string().min(1).default('0.0.0.0'),
  PAAS_DOMAIN: z
    .string()
    .min(1)
    .transform((d) => d.toLowerCase().replace(/\.$/, ''))
    .default('localhost'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  PAAS_REDIS_PREFIX: z.string().min(1).default('paas'),
  PAAS_ROUTER_RESYNC_MS: durationMs.default(30_000),
  PAAS_ROUTER_TIMEOUT_MS: durationMs.default(30_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface RouterConfig {
  port: number;
  host: string;
  /** The platform's domain: apps answer at `<app>.<domain>`; the router's own endpoints at `<domain>`. */
  domain: string;
  redisUrl: string;
  redisPrefix: string;
  /** Full resync of the route table every this many ms (and retry after a failed sync). */
  resyncMs: number;
  /** First-byte timeout: how long a backend may take to start its response (ms). */
  timeoutMs: number;
  logLevel: string;
}

/** Parses the router's configuration once, from the environment given (main passes process.env). */
export function loadConfig(env: Record<string, string | undefined>): RouterConfig {
  const e = parseEnv(schema, env);
  return {
    port: e.PAAS_ROUTER_PORT,
    host: e.PAAS_ROUTER_HOST,
    domain: e.PAAS_DOMAIN,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.PAAS_REDIS_PREFIX,
    resyncMs: e.PAAS_ROUTER_RESYNC_MS,
    timeoutMs: e.PAAS_ROUTER_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
  };
}

import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseEnv } from '@paas/shared';

const hostPort = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):\d{1,5}$/;

/** The embedded registry's settings (its own process: scripts/up.sh runs it under the supervisor). */
const schema = z
  .object({
    PAAS_HOME: z.string().min(1).default(join(homedir(), '.paas')),
    // Where it listens: loopback for one machine; the cluster's address (and TLS) for several.
    PAAS_REGISTRY_LISTEN: z.string().regex(hostPort, 'must be host:port, e.g. 127.0.0.1:5056 or 10.0.0.1:5056').default('127.0.0.1:5056'),
    // TLS under a certificate from paas's CA: auto is on unless it listens on loopback only.
    PAAS_REGISTRY_TLS: z.enum(['auto', 'on', 'off']).default('auto'),
    // More names and addresses for its certificate (the listen address, 127.0.0.1 and localhost are in it).
    PAAS_REGISTRY_TLS_NAMES: z
      .string()
      .regex(/^[A-Za-z0-9.:,\s-]*$/, 'must be host names or addresses separated by commas')
      .default(''),
    PAAS_REGISTRY_GC_INTERVAL: z.coerce.number().int().min(60).max(30 * 86400).default(86400),
    PAAS_REGISTRY_BIN: z.string().min(1).default('/usr/bin/docker-registry'),
    PAAS_REGISTRY_USERNAME: z.string().min(1).max(200).optional(),
    PAAS_REGISTRY_PASSWORD: z.string().min(1).max(500).optional(),
    DATABASE_URL: z.string().min(1).default('postgres://postgres@127.0.0.1:5432/paas'),
    PAAS_SECRET: z.string().min(32).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .refine((e) => (e.PAAS_REGISTRY_USERNAME === undefined) === (e.PAAS_REGISTRY_PASSWORD === undefined), {
    message: 'PAAS_REGISTRY_USERNAME and PAAS_REGISTRY_PASSWORD go together',
    path: ['PAAS_REGISTRY_PASSWORD'],
  })
  .transform((e) => {
    const host = e.PAAS_REGISTRY_LISTEN.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    const loopback = host === 'localhost' || host.startsWith('127.') || host === '::1';
    const tls = e.PAAS_REGISTRY_TLS === 'on' || (e.PAAS_REGISTRY_TLS === 'auto' && !loopback);
    const dir = join(resolve(e.PAAS_HOME), 'registry');
    const names = [host, '127.0.0.1', 'localhost', ...e.PAAS_REGISTRY_TLS_NAMES.split(',').map((s) => s.trim())]
      .filter((n) => n !== '' && n !== '0.0.0.0' && n !== '::');
    return {
      home: resolve(e.PAAS_HOME),
      dir,
      listen: e.PAAS_REGISTRY_LISTEN,
      tls,
      tlsNames: [...new Set(names)],
      gcIntervalMs: e.PAAS_REGISTRY_GC_INTERVAL * 1000,
      bin: e.PAAS_REGISTRY_BIN,
      credentials: e.PAAS_REGISTRY_USERNAME ? { username: e.PAAS_REGISTRY_USERNAME, password: e.PAAS_REGISTRY_PASSWORD! } : undefined,
      databaseUrl: e.DATABASE_URL,
      secret: e.PAAS_SECRET,
      logLevel: e.LOG_LEVEL,
    };
  })
  .refine((c) => !c.tls || c.secret !== undefined, { message: 'TLS needs PAAS_SECRET (to open paas\'s CA)', path: ['PAAS_SECRET'] });

export type RegistryConfig = z.infer<typeof schema>;

export function loadRegistryConfig(env: Record<string, string | undefined>): RegistryConfig {
  return parseEnv(schema, env);
}

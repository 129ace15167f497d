// The platform's administration: users, quotas, the audit log, the platform's processes, Docker hosts.
import { z } from 'zod';
import { id, timestamp } from './common.js';
import { roleSchema } from './account.js';

export const userSchema = z.object({
  id,
  email: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  disabled_at: timestamp.nullable(),
  created_at: timestamp,
});

export const quotaLimitsSchema = z.object({
  apps: z.number().int(),
  processes: z.number().int(),
  memory_mb: z.number().int(),
  builds: z.number().int(),
});

export const quotaSchema = z.object({
  user: z.object({ id, email: z.string() }),
  limits: quotaLimitsSchema.describe('In effect: set for the user, else the platform default'),
  overrides: z
    .object({
      apps: z.number().int().nullable(),
      processes: z.number().int().nullable(),
      memory_mb: z.number().int().nullable(),
      builds: z.number().int().nullable(),
    })
    .describe('Set for the user; null means the platform default'),
  usage: z.object({ apps: z.number().int(), processes: z.number().int(), builds: z.number().int() }),
});

export const auditEventSchema = z.object({
  id: z.string(),
  created_at: timestamp,
  actor: z.string().nullable().describe('Email of who did it (null: the platform)'),
  action: z.string(),
  app: z.string().nullable(),
  user: z.string().nullable().describe('Email of the user acted on'),
  ip: z.string().nullable(),
  details: z.record(z.unknown()),
});

export const componentStatusSchema = z.object({
  name: z.string().describe('controller, builder, router, or the supervisor itself'),
  host: z.string(),
  state: z.string().describe('running, backoff (waiting to be started again), stopping, stopped, unsupervised, or unknown (its host is silent)'),
  pid: z.number().int().nullable(),
  restarts: z.number().int().describe('Times the supervisor started it again'),
  version: z.string(),
  started_at: timestamp.nullable(),
  uptime_seconds: z.number().int().nullable(),
  next_start_at: timestamp.nullable().describe('When it is waiting in backoff: when it starts again'),
  last_exit: z
    .object({ code: z.number().int().nullable(), signal: z.string().nullable(), at: timestamp, uptime_ms: z.number().int() })
    .nullable(),
});

export const platformStatusSchema = z.object({ components: z.array(componentStatusSchema) });

export const hostSchema = z.object({
  id,
  name: z.string(),
  docker_url: z.string(),
  address: z.string(),
  capacity_memory_mb: z.number().int().nullable(),
  labels: z.record(z.string()),
  tls: z.boolean().describe('Whether the engine is reached over TLS with a client certificate'),
  status: z.enum(['up', 'down', 'draining']),
  draining: z.boolean(),
  last_seen_at: timestamp.nullable(),
  last_error: z.string().nullable(),
  provisioned: z.boolean().optional().describe('Provisioned by paas over SSH (hosts:provision)'),
  processes: z.number().int().optional().describe('Processes the host runs'),
  created_at: timestamp,
});

export const hostDetailSchema = hostSchema.extend({
  process_list: z.array(
    z.object({ app: z.string(), name: z.string(), release: z.number().int(), state: z.string(), port: z.number().int().optional() }),
  ),
});

/** GET /hosts/{name}/env: what `paas hosts:env` writes for the docker CLI (a fresh client certificate). */
export const hostEnvSchema = z.object({
  docker_host: z.string().describe('tcp://<address>:2376'),
  ca: z.string().describe("paas's CA certificate (PEM), which signed the engine's server certificate"),
  cert: z.string().describe('A client certificate for this admin (PEM)'),
  key: z.string().describe("The client certificate's private key (PEM)"),
  expires_at: timestamp,
});

export type AdminUser = z.infer<typeof userSchema>;
export type QuotaLimits = z.infer<typeof quotaLimitsSchema>;
export type Quota = z.infer<typeof quotaSchema>;
export type AuditEvent = z.infer<typeof auditEventSchema>;
export type ComponentStatus = z.infer<typeof componentStatusSchema>;
export type PlatformStatusReport = z.infer<typeof platformStatusSchema>;
export type Host = z.infer<typeof hostSchema>;
export type HostDetail = z.infer<typeof hostDetailSchema>;
export type HostEnv = z.infer<typeof hostEnvSchema>;

/** The operator's loosening of one app's container hardening (GET/PUT /admin/apps/{app}/hardening). */
export const appHardeningSchema = z.object({
  cap_add: z.array(z.string()).describe('Capabilities given back to the app (none by default)'),
  pids_limit: z.number().int().nullable().describe("Processes per container; null: the platform's PAAS_APP_PIDS_LIMIT"),
  image_user: z.boolean().describe("An image whose user is root runs as root (default: as 10000); prefer the engine's userns-remap"),
  no_new_privileges: z.boolean().describe('no-new-privileges (on by default)'),
  reason: z.string().describe('Why the operator loosened it (also in the audit log)'),
  updated_by: z.string().nullable(),
  updated_at: timestamp,
});

export const appHardeningResetSchema = z.object({ app: z.string(), reset: z.literal(true) });

export type AppHardening = z.infer<typeof appHardeningSchema>;

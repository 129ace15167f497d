// Apps and what hangs off one: formation, processes, limits, config, domains, certificates, router
// settings, collaborators, buildpacks.
import { z } from 'zod';
import { id, timestamp, userRef } from './common.js';
import { stackRef } from './stacks.js';

export const appSchema = z.object({
  id,
  region: z.object({ id, name: z.string() }).describe("The cluster's region (GET /regions)"),
  organization: z.null(),
  team: z.null(),
  space: z.null(),
  repo_size: z.null().describe('Not measured by paas (Heroku: bytes of the git repository)'),
  slug_size: z.null().describe('Not measured by paas (Heroku: bytes of the slug)'),
  name: z.string(),
  owner: userRef,
  created_at: timestamp,
  web_url: z.string(),
  git_url: z.string(),
  current_release: z.number().int().nullable(),
  buildpacks: z.array(z.string()),
  maintenance: z.boolean().describe('Maintenance mode: the routers answer 503 with a maintenance page'),
  build_stack: stackRef.describe('The stack the next build uses (`paas stack:set`)'),
  stack: stackRef.describe("The stack the current release was built on (the build stack before the first build)"),
});

export const formationEntrySchema = z.object({
  type: z.string(),
  quantity: z.number().int(),
  command: z.string().optional().describe("From the current release's Procfile; absent before the first deploy"),
  app: z.object({ id, name: z.string() }).optional(),
});

export const appInfoSchema = appSchema.extend({ formation: z.array(formationEntrySchema) });

export const dynoStates = ['up', 'starting', 'crashed', 'down'] as const;

export const dynoSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  state: z.enum(dynoStates),
  host: z.string(),
  release: z.object({ version: z.number().int() }),
  command: z.string(),
  app: z.object({ id, name: z.string() }).optional(),
  created_at: timestamp.optional(),
  updated_at: timestamp,
  cpu_percent: z.number().nullable().optional().describe('CPU in percent of one core, from the latest sample (null before one)'),
  memory_mb: z.number().nullable().optional().describe('Memory used in MB, from the latest sample'),
  restart_count: z.number().int().optional().describe('Times the engine restarted it after it crashed on its own'),
  volumes: z.array(z.string()).optional().describe('Volumes it mounts (NAME:PATH); a local one keeps it on its host'),
});

export const processLimitsSchema = z.object({
  type: z.string(),
  quantity: z.number().int(),
  memory_mb: z.number().int().nullable().describe('Memory limit per process in MB; null: none'),
  cpus: z.number().nullable().describe('CPU limit per process in cores; null: none'),
});

export const configVarsSchema = z.record(z.string()).describe('Config var names and values');

export const routerSettingsSchema = z.object({
  https_redirect: z.boolean().describe('Plain HTTP requests are redirected to HTTPS (hosts the routers have a certificate for)'),
  max_body_mb: z.number().int().nullable().describe("Request body limit in MB (413 above it); null: the router's default (PAAS_ROUTER_MAX_BODY_MB)"),
});

export const internalAccessSchema = z.object({
  source: z.string().describe('An app allowed to reach this one at its internal name'),
  created_at: timestamp,
  created_by: z.string().nullable().describe('Who allowed it (null: a user since removed)'),
});

export const domainSchema = z.object({
  id: z.string(),
  hostname: z.string(),
  kind: z.enum(['default', 'custom']),
  cname: z.string().nullable().describe("Where the hostname's DNS should point (CNAME); null for the default domain"),
  created_at: timestamp,
});

export const certSchema = z.object({
  id,
  names: z.array(z.string()).describe('DNS names the certificate covers'),
  subject: z.string(),
  issuer: z.string(),
  fingerprint: z.string().describe('SHA-256 of the certificate'),
  not_before: timestamp,
  expires_at: timestamp,
  created_at: timestamp,
});

export const collaboratorSchema = z.object({
  app: z.object({ id, name: z.string() }),
  user: z.object({ id, email: z.string() }),
  role: z.enum(['owner', 'collaborator']),
  created_at: timestamp,
});

export const buildpackInstallationSchema = z.object({
  buildpack: z.object({ url: z.string(), name: z.string() }),
  ordinal: z.number().int(),
});

export type App = z.infer<typeof appSchema>;
export type FormationEntry = z.infer<typeof formationEntrySchema>;
export type AppWithFormation = z.infer<typeof appInfoSchema>;
export type DynoState = (typeof dynoStates)[number];
export type Dyno = z.infer<typeof dynoSchema>;
export type ProcessLimits = z.infer<typeof processLimitsSchema>;
export type ConfigVars = z.infer<typeof configVarsSchema>;
export type RouterSettings = z.infer<typeof routerSettingsSchema>;
export type InternalAccess = z.infer<typeof internalAccessSchema>;
export type Domain = z.infer<typeof domainSchema>;
export type Cert = z.infer<typeof certSchema>;
export type Collaborator = z.infer<typeof collaboratorSchema>;
export type BuildpackInstallation = z.infer<typeof buildpackInstallationSchema>;

/** An app's last hour for the console's charts: requests from the router's access lines, memory from the container samples. */
export const appMetricsSchema = z.object({
  window_seconds: z.number().int(),
  step_seconds: z.number().int(),
  requests: z.array(
    z.object({
      t: z.number().describe('Start of the step, ms since the epoch'),
      requests: z.number().int(),
      status: z.object({ '2xx': z.number().int(), '3xx': z.number().int(), '4xx': z.number().int(), '5xx': z.number().int() }),
      p50_ms: z.number().nullable(),
      p95_ms: z.number().nullable(),
    }),
  ),
  memory: z.array(z.object({ t: z.number(), mb: z.number() })).describe("The app's processes' memory together, MB, at each sample of the last hour"),
  partial: z.boolean().describe('The log stream kept fewer lines than the hour had: the oldest steps are undercounted'),
});

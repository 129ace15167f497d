/**
 * The API's resources as zod schemas: they document the responses in /openapi.json, and the
 * authorization tests check every successful response against them.
 */
import { z } from 'zod';
import { appNameRule } from '@paas/shared';

const id = z.string().uuid();
const timestamp = z.union([z.string(), z.date()]).describe('ISO 8601 date-time');

/** App names: `isValidAppName` as a schema (also forbidding `--`). */
export const appName = z
  .string({ required_error: 'is required' })
  .regex(/^[a-z][a-z0-9-]{1,28}[a-z0-9]$/, appNameRule)
  .refine((s) => !s.includes('--'), appNameRule);

export const errorSchema = z
  .object({
    id: z.string().describe('A stable error code, e.g. quota_exceeded'),
    message: z.string(),
  })
  .passthrough();

export const userRef = z.object({ id: id.optional(), email: z.string() });

export const appSchema = z.object({
  id,
  name: z.string(),
  owner: userRef,
  created_at: timestamp,
  web_url: z.string(),
  git_url: z.string(),
  current_release: z.number().int().nullable(),
  buildpacks: z.array(z.string()),
});

export const formationEntrySchema = z.object({
  type: z.string(),
  quantity: z.number().int(),
  command: z.string().nullable(),
});

export const appInfoSchema = appSchema.extend({ formation: z.array(formationEntrySchema) });

export const releaseSchema = z.object({
  id,
  version: z.number().int(),
  description: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  current: z.boolean(),
  image: z.string(),
  build: z.object({ id }).nullable(),
  process_types: z.record(z.string()),
  user: z.object({ email: z.string() }).nullable(),
  created_at: timestamp,
});

export const buildSchema = z.object({
  id,
  status: z.enum(['pending', 'building', 'succeeded', 'failed']),
  commit: z.string(),
  buildpack: z.string().nullable(),
  image: z.string().nullable(),
  error: z.string().nullable(),
  process_types: z.record(z.string()).nullable(),
  created_at: timestamp,
  finished_at: timestamp.nullable(),
});

export const buildWithOutputSchema = buildSchema.extend({ output: z.string() });

export const dynoSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  state: z.string(),
  host: z.string(),
  release: z.object({ version: z.number().int() }),
  command: z.string(),
  updated_at: timestamp,
  cpu_percent: z.number().nullable().optional().describe('CPU in percent of one core, from the latest sample (null before one)'),
  memory_mb: z.number().nullable().optional().describe('Memory used in MB, from the latest sample'),
});

export const configVarsSchema = z.record(z.string()).describe('Config var names and values');

export const accountSchema = z.object({
  id,
  email: z.string(),
  role: z.enum(['admin', 'user']),
  created_at: timestamp,
});

export const sessionSchema = z.object({
  token: z.string().describe('A session token (JWT) that expires'),
  user: z.object({ id, email: z.string(), role: z.enum(['admin', 'user']) }),
});

export const authorizationSchema = z.object({
  id,
  description: z.string(),
  created_at: timestamp,
  last_used_at: timestamp.nullable(),
  access_token: z
    .object({ token: z.string(), expires_in: z.null() })
    .nullable()
    .describe('The token, shown once: only when the authorization is created'),
});

export const collaboratorSchema = z.object({
  app: z.object({ id, name: z.string() }),
  user: z.object({ id, email: z.string() }),
  role: z.enum(['owner', 'collaborator']),
  created_at: timestamp,
});

export const userSchema = z.object({
  id,
  email: z.string(),
  role: z.enum(['admin', 'user']),
  disabled: z.boolean(),
  disabled_at: timestamp.nullable(),
  created_at: timestamp,
});

const limits = z.object({
  apps: z.number().int(),
  processes: z.number().int(),
  memory_mb: z.number().int(),
  builds: z.number().int(),
});

export const quotaSchema = z.object({
  user: z.object({ id, email: z.string() }),
  limits: limits.describe('In effect: set for the user, else the platform default'),
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

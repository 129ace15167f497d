import { z } from 'zod';
import { id, timestamp } from './common.js';

/** An add-on (issue 18): never its URL, which is the attached apps' config var. */
export const addonSchema = z.object({
  id,
  name: z.string().describe('e.g. postgres-3f9a1c2b4d5e6f70'),
  service: z.enum(['postgres', 'redis']),
  plan: z.string(),
  app: z.string().describe('The app it was created for (destroyed with it)'),
  attachments: z.array(z.object({ app: z.string(), config_var: z.string() })),
  created_at: timestamp,
});

/** In an app's listing: the config var it sets on that app. */
export const attachedAddonSchema = addonSchema.extend({ config_var: z.string() });

export const addonInfoSchema = addonSchema.extend({
  usage: z.object({
    bytes: z.number(),
    connections: z.number().int(),
    connection_limit: z.number().int().nullable(),
    extra: z.record(z.union([z.string(), z.number()])).optional(),
  }),
  plan_limits: z.object({ name: z.string(), connections: z.number(), sizeMb: z.number() }),
});

export const addonBackupSchema = z.object({ id: z.string(), bytes: z.number().int(), created_at: timestamp });

export const addonServerSchema = z.object({
  id,
  service: z.enum(['postgres', 'redis']),
  endpoint: z.string().describe('host:port'),
  addons: z.number().int(),
  created_at: timestamp,
});

export const volumeSchema = z.object({
  id,
  name: z.string(),
  mount: z.string().describe('The path inside the containers'),
  types: z.array(z.string()).describe('Process types that mount it; empty: all'),
  driver: z.string(),
  host: z.string().nullable().describe('The host holding a local volume: its processes run there'),
  created_at: timestamp,
});

export const autoCertStatusSchema = z.object({
  hostname: z.string(),
  status: z.enum(['waiting', 'pending', 'issued', 'failed', 'unsupported']),
  message: z.string().nullable().describe("The CA's reason for a failure"),
  expires_at: timestamp.nullable(),
  next_attempt_at: timestamp.nullable().describe('The next renewal (30 days before expiry) or retry'),
});

export type Addon = z.infer<typeof attachedAddonSchema> | (z.infer<typeof addonSchema> & { config_var?: string });
export type AddonInfo = z.infer<typeof addonInfoSchema>;
export type AddonBackup = z.infer<typeof addonBackupSchema>;
export type AddonServerEntry = z.infer<typeof addonServerSchema>;
export type Volume = z.infer<typeof volumeSchema>;
export type AutoCertStatus = z.infer<typeof autoCertStatusSchema>;

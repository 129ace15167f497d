// Releases, builds and log drains.
import { z } from 'zod';
import { id, timestamp } from './common.js';

export const releaseSchema = z.object({
  id,
  version: z.number().int(),
  description: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  current: z.boolean(),
  eligible_for_rollback: z.boolean().describe('It succeeded: it can be rolled back to'),
  image: z.string(),
  build: z.object({ id }).nullable(),
  process_types: z.record(z.string()),
  user: z.object({ email: z.string() }).optional().describe('Who made it; absent for releases the platform made itself'),
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
  stack: z.string().nullable().describe('The stack it built on (null: built before stacks)'),
  created_at: timestamp,
  finished_at: timestamp.nullable(),
});

export const buildWithOutputSchema = buildSchema.extend({ output: z.string() });

export const logDrainSchema = z.object({
  id,
  url: z.string(),
  token: z.string(),
  addon: z.null(),
  app: z.object({ id, name: z.string() }),
  created_at: timestamp,
  updated_at: timestamp,
  status: z.enum(['delivering', 'retrying']).describe('retrying: the target is down; delivery resumes with backoff'),
  delivered: z.number().int().describe('Lines delivered'),
  dropped: z.number().int().describe('Lines skipped because the drain fell too far behind'),
  last_error: z.string().nullable(),
});

export type Release = z.infer<typeof releaseSchema>;
export type Build = z.infer<typeof buildSchema>;
export type BuildWithOutput = z.infer<typeof buildWithOutputSchema>;
export type LogDrain = z.infer<typeof logDrainSchema>;

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
  source_blob: z
    .object({ url: z.string().nullable(), version: z.string().nullable(), checksum: z.string().nullable() })
    .nullable()
    .describe("A build from a source tarball: what POST /apps/{app}/builds was given (Heroku's source_blob); null for pushes"),
  release: z.object({ id }).nullable().describe('The release made of it, once there is one'),
});

/** The answer to POST /apps/{app}/builds: the build, and where its output streams (live, then whole). */
export const createdBuildSchema = buildSchema.extend({
  app: z.object({ id, name: z.string() }),
  output_stream_url: z.string().describe('Plain-text build output, streamed live (a short-lived token in the URL authorises it)'),
});

export const sourceSchema = z.object({
  source_blob: z.object({ get_url: z.string(), put_url: z.string() }).describe('PUT the gzipped tar to put_url, then give get_url as source_blob.url'),
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

// Stacks (Heroku's `GET /stacks`): the Debian releases apps build and run on.
import { z } from 'zod';
import { id, timestamp } from './common.js';
import { stackNames } from '../stacks.js';

export const stackSchema = z.object({
  id,
  name: z.enum(stackNames),
  state: z.enum(['public', 'deprecated']).describe('public: current; deprecated: still builds, move apps off it'),
  default: z.boolean().describe('New apps build on it'),
  created_at: timestamp,
  updated_at: timestamp,
  description: z.string(),
});

/** How an app names its stacks (Heroku's `{id, name}`). */
export const stackRef = z.object({ id, name: z.enum(stackNames) });

export type StackInfo = z.infer<typeof stackSchema>;

/** `GET /version`: the platform's version and where its CLI comes from. */
export const platformVersionSchema = z.object({
  version: z.string().describe("The platform's version (the CLI warns when its own differs)"),
  cli: z.object({
    url: z.string().describe('The CLI as an npm package'),
    install: z.string().describe('The command that installs it'),
  }),
});

export type PlatformVersion = z.infer<typeof platformVersionSchema>;

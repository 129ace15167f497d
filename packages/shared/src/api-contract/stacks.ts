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

import { z } from 'zod';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';

const timestamp = z.string().describe('ISO 8601 date-time');

const componentSchema = z.object({
  name: z.string().describe('controller, builder, router, or the supervisor itself'),
  host: z.string(),
  state: z.string().describe('running, backoff (waiting to be started again), stopping, stopped, or unsupervised'),
  pid: z.number().int().nullable(),
  restarts: z.number().int().describe('Times the supervisor started it again'),
  version: z.string(),
  started_at: timestamp.nullable(),
  uptime_seconds: z.number().int().nullable(),
  next_start_at: timestamp.nullable(),
  last_exit: z
    .object({ code: z.number().int().nullable(), signal: z.string().nullable(), at: timestamp, uptime_ms: z.number().int() })
    .nullable(),
});

/** The platform's own processes, as their supervisor sees them (scripts/supervisor.mjs). Admins only. */
export function statusRoutes(table: RouteTable, ctx: ApiContext): void {
  table.add({
    method: 'get',
    path: '/admin/status',
    action: 'admin',
    tag: 'admin',
    summary: "The platform's processes: each one's state, restarts, version and uptime",
    description: 'Read from the supervisor on the host of the controller that answers; a crash loop shows as state backoff with its restarts.',
    response: z.object({ components: z.array(componentSchema) }),
    handler: async () => ({ components: await ctx.status.components() }),
  });
}

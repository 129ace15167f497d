import { platformStatusSchema } from '@paas/shared/api-contract';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';

/** The platform's own processes, as their supervisor sees them (scripts/supervisor.mjs). Admins only. */
export function statusRoutes(table: RouteTable, ctx: ApiContext): void {
  table.add({
    method: 'get',
    path: '/admin/status',
    action: 'admin',
    tag: 'admin',
    summary: "The platform's processes: each one's state, restarts, version and uptime",
    description: 'Read from the supervisor on the host of the controller that answers; a crash loop shows as state backoff with its restarts.',
    response: platformStatusSchema,
    handler: async () => ({ components: await ctx.status.components() }),
  });
}

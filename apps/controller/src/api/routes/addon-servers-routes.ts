import { z } from 'zod';
import { addonServerSchema } from '@paas/shared/api-contract';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';

/** `paas admin:addon-servers*`: the operator's own servers for add-ons, used before the platform's. */
export function addonServersRoutes(table: RouteTable, ctx: ApiContext): void {
  const servers = ctx.addonServers;
  if (!servers) return;
  table.add({
    method: 'get',
    path: '/admin/addon-servers',
    action: 'admin',
    tag: 'admin',
    summary: 'Servers registered for add-ons (their admin URLs are stored encrypted and never shown)',
    response: z.array(addonServerSchema),
    handler: () => servers.list(),
  });
  table.add({
    method: 'post',
    path: '/admin/addon-servers',
    action: 'admin',
    tag: 'admin',
    summary: 'Register a PostgreSQL (a role with CREATEROLE and CREATEDB) or Redis (ACL admin) server for new add-ons',
    body: z.object({ service: z.string().max(20), url: z.string().max(2000) }),
    example: { service: 'postgres', url: 'postgres://admin:secret@db.internal:5432/postgres' },
    status: 201,
    response: addonServerSchema,
    handler: async ({ body, req }) => {
      const s = await servers.add(body.service, body.url);
      await ctx.access.audit.record({ ...requester(req), action: 'addon_server.add', details: { service: s.service, endpoint: s.endpoint } });
      return s;
    },
  });
  table.add({
    method: 'delete',
    path: '/admin/addon-servers/:server',
    action: 'admin',
    tag: 'admin',
    params: { server: 'The id or host:port' },
    summary: 'Unregister a server that holds no add-ons',
    response: addonServerSchema,
    handler: async ({ params, req }) => {
      const s = await servers.remove(params['server']!);
      await ctx.access.audit.record({ ...requester(req), action: 'addon_server.remove', details: { endpoint: s.endpoint } });
      return s;
    },
  });
}

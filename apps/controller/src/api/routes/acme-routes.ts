import { z } from 'zod';
import { autoCertStatusSchema } from '@paas/shared/api-contract';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';

const statusSchema = z.array(autoCertStatusSchema);

/** `paas certs:auto*`: automatic certificates over ACME for an app's custom domains (issue 18). */
export function acmeRoutes(table: RouteTable, ctx: ApiContext): void {
  const acme = ctx.acme;
  if (!acme) return;
  table.add({
    method: 'get',
    path: '/apps/:app/acm',
    action: 'app:domains',
    tag: 'domains',
    summary: "Automatic certificates: each custom domain's state (empty when they are off)",
    response: statusSchema,
    handler: ({ app }) => acme.status(app),
  });
  table.add({
    method: 'post',
    path: '/apps/:app/acm',
    action: 'app:domains',
    tag: 'domains',
    summary: 'Turn automatic certificates on: each custom domain gets one from the ACME CA (in the background), renewed 30 days before expiry',
    response: statusSchema,
    handler: async ({ app, req }) => {
      const status = await acme.enable(app);
      await ctx.access.audit.record({ ...requester(req), action: 'acm.enable', app: app.name });
      return status;
    },
  });
  table.add({
    method: 'post',
    path: '/apps/:app/acm/refresh',
    action: 'app:domains',
    tag: 'domains',
    summary: 'Order the certificates that are missing or failed now, instead of at the next retry',
    response: statusSchema,
    handler: async ({ app }) => {
      await ctx.pool.query("UPDATE acme_domains SET next_attempt_at = now() WHERE app_id = $1 AND status = 'failed'", [app.id]);
      acme.kick();
      return acme.status(app);
    },
  });
  table.add({
    method: 'delete',
    path: '/apps/:app/acm',
    action: 'app:domains',
    tag: 'domains',
    summary: 'Turn automatic certificates off: the certificates they made are removed',
    response: statusSchema,
    handler: async ({ app, req }) => {
      const status = await acme.disable(app);
      await ctx.access.audit.record({ ...requester(req), action: 'acm.disable', app: app.name });
      return status;
    },
  });
}

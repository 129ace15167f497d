import { z } from 'zod';
import { EgressGuard } from '@paas/shared';
import { findAppByName } from '../../db/apps.js';
import { getConfigVars } from '../../db/config-vars.js';
import { setMaintenance } from '../../db/maintenance.js';
import { inTransaction } from '../../db/queryable.js';
import { fetchMaintenancePage, maintenancePageVar } from '../../deploy/maintenance-page.js';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';
import { appSchema } from '../schemas.js';
import { appJson } from '../serializers.js';

const patchBody = z.object({ maintenance: z.boolean({ required_error: 'is required: true or false' }) }).strict();

/**
 * Heroku's `PATCH /apps/{app}` for maintenance mode (`paas maintenance:on|off`): on, the routers
 * answer 503 with a maintenance page, the app's own when its config sets PAAS_MAINTENANCE_PAGE_URL
 * (fetched now, through the egress guard; a page that cannot be fetched refuses the change). Live
 * when this answers.
 */
export function maintenanceRoutes(table: RouteTable, ctx: ApiContext): void {
  const egress = ctx.egress ?? new EgressGuard();
  table.add({
    method: 'patch',
    path: '/apps/:app',
    action: 'app:domains',
    tag: 'apps',
    summary: 'Turn maintenance mode on or off (the routers answer 503 with a maintenance page)',
    body: patchBody,
    example: { maintenance: true },
    response: appSchema,
    handler: async ({ app, body, req }) => {
      let page: string | null = null;
      if (body.maintenance) {
        const url = (await getConfigVars(ctx.pool, ctx.access.cipher, app.id))[maintenancePageVar];
        if (url) page = await fetchMaintenancePage(egress, url);
      }
      // the audit event commits with the change, or neither does
      await inTransaction(ctx.pool, async (tx) => {
        await setMaintenance(tx, app.id, body.maintenance, page);
        await ctx.access.audit.record(
          { ...requester(req), action: 'app.maintenance', app: app.name, details: { maintenance: body.maintenance, own_page: page !== null } },
          tx,
        );
      });
      await ctx.deployer.reconcile(app);
      return appJson(ctx.config, (await findAppByName(ctx.pool, app.name))!);
    },
  });
}

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
import { buildStackField, changeBuildStack, requestedStack } from './stacks-routes.js';

const patchBody = z
  .object({ maintenance: z.boolean({ invalid_type_error: 'must be true or false' }).optional(), build_stack: buildStackField.optional() })
  .strict()
  .refine((b) => b.maintenance !== undefined || b.build_stack !== undefined, { message: 'give maintenance (true or false) or build_stack', path: ['maintenance'] });

/**
 * Heroku's `PATCH /apps/{app}` for maintenance mode (`paas maintenance:on|off`): on, the routers
 * answer 503 with a maintenance page, the app's own when its config sets PAAS_MAINTENANCE_PAGE_URL
 * (fetched now, through the egress guard; a page that cannot be fetched refuses the change). Live
 * when this answers. And `build_stack` (`paas stack:set`): the stack of the app's next build.
 */
export function maintenanceRoutes(table: RouteTable, ctx: ApiContext): void {
  const egress = ctx.egress ?? new EgressGuard();
  table.add({
    method: 'patch',
    path: '/apps/:app',
    action: 'app:domains',
    tag: 'apps',
    summary: "Turn maintenance mode on or off (the routers answer 503 with a maintenance page); set the next build's stack",
    body: patchBody,
    example: { maintenance: true },
    response: appSchema,
    handler: async ({ app, body, req }) => {
      const stack = body.build_stack === undefined ? undefined : requestedStack(body.build_stack);
      if (body.maintenance === undefined) {
        await inTransaction(ctx.pool, (tx) => changeBuildStack(tx, ctx, requester(req), app, stack!));
        return appJson(ctx.config, (await findAppByName(ctx.pool, app.name))!);
      }
      const maintenance = body.maintenance;
      let page: string | null = null;
      if (maintenance) {
        const url = (await getConfigVars(ctx.pool, ctx.access.cipher, app.id))[maintenancePageVar];
        if (url) page = await fetchMaintenancePage(egress, url);
      }
      // the audit event commits with the change, or neither does
      await inTransaction(ctx.pool, async (tx) => {
        await setMaintenance(tx, app.id, maintenance, page);
        await ctx.access.audit.record(
          { ...requester(req), action: 'app.maintenance', app: app.name, details: { maintenance, own_page: page !== null } },
          tx,
        );
        if (stack !== undefined) await changeBuildStack(tx, ctx, requester(req), app, stack);
      });
      await ctx.deployer.reconcile(app);
      return appJson(ctx.config, (await findAppByName(ctx.pool, app.name))!);
    },
  });
}

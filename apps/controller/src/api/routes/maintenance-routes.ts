import { z } from 'zod';
import { AppError, EgressGuard } from '@paas/shared';
import { findAppById } from '../../db/apps.js';
import { getConfigVars } from '../../db/config-vars.js';
import { setMaintenance } from '../../db/maintenance.js';
import { inTransaction } from '../../db/queryable.js';
import { fetchMaintenancePage, maintenancePageVar } from '../../deploy/maintenance-page.js';
import type { ApiContext } from '../context.js';
import { loadApp, requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';
import { appName, appSchema } from '../schemas.js';
import { appJson } from '../serializers.js';
import { buildStackField, changeBuildStack, requestedStack } from './stacks-routes.js';

const patchBody = z
  .object({
    name: appName.optional(),
    maintenance: z.boolean({ invalid_type_error: 'must be true or false' }).optional(),
    build_stack: buildStackField.optional(),
  })
  .strict()
  .refine((b) => b.name !== undefined || b.maintenance !== undefined || b.build_stack !== undefined, {
    message: 'give name, maintenance or build_stack (one or more)',
  });

/**
 * Heroku's `PATCH /apps/{app}`: `name` renames the app (`paas rename`, owner or admin only: see
 * deploy/app-rename.ts), `maintenance` turns maintenance mode on or off (`paas maintenance:on|off`):
 * on, the routers answer 503 with a maintenance page, the app's own when its config sets
 * PAAS_MAINTENANCE_PAGE_URL (fetched now, through the egress guard; a page that cannot be fetched
 * refuses the change), and `build_stack` (`paas stack:set`) sets the stack of the app's next build.
 * One request may carry several: the rename goes first. Live when this answers.
 */
export function maintenanceRoutes(table: RouteTable, ctx: ApiContext): void {
  const egress = ctx.egress ?? new EgressGuard();
  table.add({
    method: 'patch',
    path: '/apps/:app',
    action: 'app:domains',
    tag: 'apps',
    summary: "Rename the app (owner or admin), turn maintenance mode on or off (the routers answer 503 with a maintenance page), set the next build's stack",
    body: patchBody,
    example: { maintenance: true },
    response: appSchema,
    handler: async ({ app, user, body, req }) => {
      const stack = body.build_stack === undefined ? undefined : requestedStack(body.build_stack);
      if (body.name !== undefined && body.name !== app.name) {
        // a collaborator may turn maintenance on, not rename: 403
        await loadApp(ctx.pool, user, app.name, 'app:rename');
        if (!ctx.renames) throw new AppError('unavailable', 'renaming is not available on this controller');
        app = await ctx.renames.rename(app, body.name, requester(req));
      }
      if (stack !== undefined && body.maintenance === undefined) {
        await inTransaction(ctx.pool, (tx) => changeBuildStack(tx, ctx, requester(req), app, stack));
      }
      if (body.maintenance !== undefined) {
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
      }
      return appJson(ctx.config, (await findAppById(ctx.pool, app.id))!);
    },
  });
}

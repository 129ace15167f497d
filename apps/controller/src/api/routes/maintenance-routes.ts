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

const patchBody = z
  .object({
    name: appName.optional(),
    maintenance: z.boolean({ invalid_type_error: 'must be true or false' }).optional(),
  })
  .strict()
  .refine((b) => b.name !== undefined || b.maintenance !== undefined, { message: 'give name, maintenance or both' });

/**
 * Heroku's `PATCH /apps/{app}`: `name` renames the app (`paas rename`, owner or admin only: see
 * deploy/app-rename.ts), `maintenance` turns maintenance mode on or off (`paas maintenance:on|off`):
 * on, the routers answer 503 with a maintenance page, the app's own when its config sets
 * PAAS_MAINTENANCE_PAGE_URL (fetched now, through the egress guard; a page that cannot be fetched
 * refuses the change). One request may carry both: the rename goes first. Live when this answers.
 */
export function maintenanceRoutes(table: RouteTable, ctx: ApiContext): void {
  const egress = ctx.egress ?? new EgressGuard();
  table.add({
    method: 'patch',
    path: '/apps/:app',
    action: 'app:domains',
    tag: 'apps',
    summary: 'Rename the app (owner or admin) and/or turn maintenance mode on or off (the routers answer 503 with a maintenance page)',
    body: patchBody,
    example: { maintenance: true },
    response: appSchema,
    handler: async ({ app, user, body, req }) => {
      if (body.name !== undefined && body.name !== app.name) {
        // a collaborator may turn maintenance on, not rename: 403
        await loadApp(ctx.pool, user, app.name, 'app:rename');
        if (!ctx.renames) throw new AppError('unavailable', 'renaming is not available on this controller');
        app = await ctx.renames.rename(app, body.name, requester(req));
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
        });
        await ctx.deployer.reconcile(app);
      }
      return appJson(ctx.config, (await findAppById(ctx.pool, app.id))!);
    },
  });
}

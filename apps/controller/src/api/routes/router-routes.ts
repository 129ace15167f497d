import { z } from 'zod';
import type { Request } from 'express';
import type { AppRow } from '../../db/apps.js';
import { routerSettingsSchema } from '@paas/shared/api-contract';
import { getRouterSettings, updateRouterSettings } from '../../db/router-settings.js';
import { inTransaction } from '../../db/queryable.js';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';

/** The bounds of migrations/010's check: 1 MB to 10 GB. */
export const maxBodyRange = { min: 1, max: 10_240 } as const;

const patchBody = z
  .object({
    https_redirect: z.boolean().optional(),
    max_body_mb: z
      .number()
      .int('must be a whole number of MB')
      .min(maxBodyRange.min, `must be at least ${maxBodyRange.min} MB`)
      .max(maxBodyRange.max, `must be at most ${maxBodyRange.max} MB`)
      .nullable()
      .optional()
      .describe("null: the router's default"),
  })
  .strict()
  .refine((b) => b.https_redirect !== undefined || b.max_body_mb !== undefined, { message: 'give https_redirect, max_body_mb or both', path: [] });

/** Changes an app's router settings with their audit event (one transaction), then republishes its route. */
export async function changeRouterSettings(ctx: ApiContext, app: AppRow, body: { https_redirect?: boolean | undefined; max_body_mb?: number | null | undefined }, req: Request) {
  const patch = { https_redirect: body.https_redirect, max_body_mb: body.max_body_mb };
  // the audit event commits with the change, or neither does
  const settings = await inTransaction(ctx.pool, async (tx) => {
    const s = await updateRouterSettings(tx, app.id, patch);
    await ctx.access.audit.record({ ...requester(req), action: 'router.update', app: app.name, details: { ...body } }, tx);
    return s;
  });
  await ctx.deployer.reconcile(app);
  return settings;
}

/** `paas router`, `paas router:set`: how the routers treat an app's requests (HTTPS redirect, body limit). */
export function routerRoutes(table: RouteTable, ctx: ApiContext): void {
  table.add({
    method: 'get',
    path: '/apps/:app/router',
    action: 'app:read',
    tag: 'domains',
    summary: "The app's router settings: HTTPS redirect and request body limit",
    response: routerSettingsSchema,
    handler: ({ app }) => getRouterSettings(ctx.pool, app.id),
  });

  table.add({
    method: 'patch',
    path: '/apps/:app/router',
    action: 'app:domains',
    tag: 'domains',
    summary: "Change the app's router settings; its route is republished (live when this answers)",
    body: patchBody,
    example: { https_redirect: true, max_body_mb: 50 },
    response: routerSettingsSchema,
    handler: ({ app, body, req }) => changeRouterSettings(ctx, app, body, req),
  });
}

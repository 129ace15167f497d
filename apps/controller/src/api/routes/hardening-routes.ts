import { z } from 'zod';
import { AppError } from '@paas/shared';
import { appHardeningResetSchema, appHardeningSchema as hardeningSchema } from '@paas/shared/api-contract';
import { findAppByName } from '../../db/apps.js';
import { clearAppHardening, getAppHardening, loosenableCapabilities, setAppHardening } from '../../db/app-hardening.js';
import { inTransaction } from '../../db/queryable.js';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';

const putBody = z
  .object({
    cap_add: z.array(z.enum(loosenableCapabilities)).max(loosenableCapabilities.length).default([]),
    pids_limit: z.number().int().min(16).max(1_000_000).nullable().default(null),
    image_user: z.boolean().default(false),
    no_new_privileges: z.boolean().default(true),
    reason: z.string().trim().min(1, 'say why (it goes in the audit log)').max(500),
  })
  .strict();

/**
 * The operator's per-app loosening of the container hardening (issue 14, item 3): admins only, the
 * change and its audit event (`hardening.update`) in one transaction, applied to the app's
 * containers as they are next created (a deploy, `paas ps:restart`). Nothing an app's owner can
 * send (API, app.json, labels) reaches it.
 */
export function hardeningRoutes(table: RouteTable, ctx: ApiContext): void {
  const appNamed = async (name: string) => {
    const app = await findAppByName(ctx.pool, name);
    if (!app) throw new AppError('app_not_found', `no app named ${name}`);
    return app;
  };
  table.add({
    method: 'get',
    path: '/admin/apps/:app/hardening',
    action: 'admin',
    tag: 'admin',
    summary: "The operator's loosening of the app's container hardening (404: none, the defaults apply)",
    response: hardeningSchema,
    handler: async ({ params }) => {
      const app = await appNamed(params['app'] ?? '');
      const row = await getAppHardening(ctx.pool, app.id);
      if (!row) throw new AppError('not_found', `${app.name} runs with the platform's hardening: no exception is set`);
      return row;
    },
  });
  table.add({
    method: 'put',
    path: '/admin/apps/:app/hardening',
    action: 'admin',
    tag: 'admin',
    summary: "Loosen the app's container hardening (capabilities, PID limit, root images, no-new-privileges); applied as its containers are next created",
    body: putBody,
    example: { cap_add: ['NET_BIND_SERVICE'], pids_limit: 2048, reason: 'the vendor image binds port 80 after dropping root' },
    response: hardeningSchema,
    handler: async ({ params, body, req }) => {
      const app = await appNamed(params['app'] ?? '');
      const by = requester(req);
      await inTransaction(ctx.pool, async (tx) => {
        await setAppHardening(tx, app.id, body, by.actor!.id);
        await ctx.access.audit.record({ ...by, action: 'hardening.update', app: app.name, details: { ...body } }, tx);
      });
      return (await getAppHardening(ctx.pool, app.id))!;
    },
  });
  table.add({
    method: 'delete',
    path: '/admin/apps/:app/hardening',
    action: 'admin',
    tag: 'admin',
    summary: "Back to the platform's hardening for the app (applied as its containers are next created)",
    response: appHardeningResetSchema,
    handler: async ({ params, req }) => {
      const app = await appNamed(params['app'] ?? '');
      const by = requester(req);
      const cleared = await inTransaction(ctx.pool, async (tx) => {
        const gone = await clearAppHardening(tx, app.id);
        if (gone) await ctx.access.audit.record({ ...by, action: 'hardening.update', app: app.name, details: { reset: true } }, tx);
        return gone;
      });
      if (!cleared) throw new AppError('not_found', `${app.name} runs with the platform's hardening: no exception is set`);
      return { app: app.name, reset: true as const };
    },
  });
}

import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { addonBackupSchema, addonInfoSchema, addonSchema, attachedAddonSchema, herokuAddonSchema } from '@paas/shared/api-contract';
import { wantsHeroku } from '../heroku/accept.js';
import { herokuAddonJson } from '../heroku/heroku-json.js';
import { AppError } from '@paas/shared';
import { findAppByName, findAppForUser, type AppRow } from '../../db/apps.js';
import { findAddon } from '../../db/addons.js';
import type { AddonService } from '../../addons/addon-service.js';
import type { PgBackups } from '../../addons/pg-backups.js';
import type { ApiContext } from '../context.js';
import { appAllowed, requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';

const asName = z.string().max(41).describe('Config var prefix: the add-on is <AS>_URL (default DATABASE or REDIS)');
const createBody = z
  .object({
    service: z.string().max(60).optional().describe('postgres or redis (or heroku-postgresql, heroku-redis), optionally with :PLAN'),
    plan: z.string().max(80).optional().describe("The plan; without service, Heroku's SERVICE:PLAN (heroku-postgresql:hobby)"),
    as: asName.optional(),
    attachment: z.object({ name: asName.optional() }).optional().describe("Heroku's spelling of as"),
  })
  .refine((b) => b.service !== undefined || b.plan !== undefined, { message: 'is required: postgres or redis (or plan heroku-postgresql:PLAN)', path: ['service'] });
const attachBody = z.object({ addon: z.string({ required_error: 'is required' }).max(100), as: asName.optional() });

const addonPath = '/apps/:app/addons/:addon';

/** Add-ons (issue 18): `paas addons:*`, `pg:*` and `redis:*`. */
export function addonsRoutes(table: RouteTable, ctx: ApiContext): void {
  const addons = ctx.addons;
  if (!addons) return;
  const appById = async (id: string): Promise<AppRow | undefined> => {
    const { rows } = await ctx.pool.query<{ name: string }>('SELECT name FROM apps WHERE id = $1', [id]);
    return rows[0] ? findAppByName(ctx.pool, rows[0].name) : undefined;
  };
  const params = { addon: 'The add-on name (paas addons)' };

  table.add({
    method: 'get',
    path: '/apps/:app/addons',
    action: 'app:read',
    tag: 'addons',
    summary: "The add-ons attached to an app, its own and those shared with it, with the config var each sets",
    description: "Heroku's clients (Accept: application/vnd.heroku+json) get Heroku's add-on shape (addon_service, plan and app as references).",
    response: z.union([z.array(attachedAddonSchema), z.array(herokuAddonSchema)]),
    handler: async ({ app, req }) => {
      const list = await addons.list(app);
      if (!wantsHeroku(req)) return list;
      const owners = new Map<string, { id: string; name: string }>([[app.name, { id: app.id, name: app.name }]]);
      for (const a of list) {
        if (owners.has(a.app)) continue;
        const owner = await findAppByName(ctx.pool, a.app);
        owners.set(a.app, { id: owner?.id ?? a.id, name: a.app });
      }
      return list.map((a) => herokuAddonJson(a, owners.get(a.app)!, app.name));
    },
  });

  table.add({
    method: 'post',
    path: '/apps/:app/addons',
    action: 'app:config:write',
    tag: 'addons',
    summary: 'Create a postgres or redis add-on for the app: <AS>_URL is set with a new release (403 quota_exceeded past the add-ons quota)',
    body: createBody,
    example: { service: 'postgres', plan: 'hobby' },
    status: 201,
    response: addonSchema,
    handler: async ({ app, user, body, req }) => {
      const service = body.service ?? body.plan!;
      const view = await addons.create(app, user, {
        service,
        ...(body.service !== undefined && body.plan !== undefined ? { plan: body.plan } : {}),
        ...((body.as ?? body.attachment?.name) !== undefined ? { as: (body.as ?? body.attachment?.name)! } : {}),
      });
      await ctx.access.audit.record({ ...requester(req), action: 'addon.create', app: app.name, details: { addon: view.name, plan: view.plan } });
      return view;
    },
  });

  table.add({
    method: 'get',
    path: addonPath,
    action: 'app:read',
    tag: 'addons',
    params,
    summary: "An add-on, its plan's limits and its use now (size, connections)",
    response: addonInfoSchema,
    handler: async ({ app, params: p }) => {
      const info = await addons.info(app, p['addon']!);
      const { connectionLimit, ...usage } = info.usage;
      return { ...info, usage: { ...usage, connection_limit: connectionLimit } };
    },
  });

  table.add({
    method: 'delete',
    path: addonPath,
    action: 'app:config:write',
    tag: 'addons',
    params,
    summary: 'Destroy an add-on of this app and its data: detached from every app (a release each), then dropped',
    response: addonSchema,
    handler: async ({ app, user, params: p, req }) => {
      const addon = await addons.get(app, p['addon']!);
      const view = await addons.destroy(app, addon.name, user, appById);
      await ctx.access.audit.record({ ...requester(req), action: 'addon.destroy', app: app.name, details: { addon: view.name } });
      return view;
    },
  });

  table.add({
    method: 'post',
    path: '/apps/:app/addon-attachments',
    action: 'app:config:write',
    tag: 'addons',
    summary: "Share an add-on of the same owner with this app as <AS>_URL (the user must have access to the add-on's app)",
    body: attachBody,
    example: { addon: 'postgres-3f9a1c2b4d5e6f70', as: 'SHARED_DB' },
    status: 201,
    response: addonSchema,
    handler: async ({ app, user, body, req }) => {
      const addon = await findAddon(ctx.pool, body.addon);
      // The user must see the add-on's own app; else it does not exist for them.
      const home = addon ? await findAppForUser(ctx.pool, addon.app_name, user.id) : undefined;
      if (!addon || !home) throw new AppError('addon_not_found', `there is no add-on named ${body.addon}`);
      try {
        appAllowed(user, home, home.name, 'app:config:read');
      } catch {
        throw new AppError('addon_not_found', `there is no add-on named ${body.addon}`);
      }
      const view = await addons.attach(addon, app, user, body.as);
      await ctx.access.audit.record({ ...requester(req), action: 'addon.attach', app: app.name, details: { addon: addon.name } });
      return view;
    },
  });

  table.add({
    method: 'delete',
    path: '/apps/:app/addon-attachments/:addon',
    action: 'app:config:write',
    tag: 'addons',
    params,
    summary: 'Remove a shared add-on from this app (its config var is unset with a new release)',
    response: addonSchema,
    handler: async ({ app, user, params: p, req }) => {
      const view = await addons.detach(app, p['addon']!, user);
      await ctx.access.audit.record({ ...requester(req), action: 'addon.detach', app: app.name, details: { addon: view.name } });
      return view;
    },
  });

  table.add({
    method: 'post',
    path: `${addonPath}/credentials/rotate`,
    action: 'app:config:write',
    tag: 'addons',
    params,
    summary: "New credentials for an add-on: its open connections are closed, every attached app gets the new URL in a new release",
    response: addonSchema,
    handler: async ({ app, user, params: p, req }) => {
      const view = await addons.rotate(app, p['addon']!, user, appById);
      await ctx.access.audit.record({ ...requester(req), action: 'addon.rotate', app: app.name, details: { addon: view.name } });
      return view;
    },
  });

  backupRoutes(table, ctx, addons);
}

function backupRoutes(table: RouteTable, ctx: ApiContext, addons: AddonService): void {
  const backups: PgBackups | undefined = ctx.addonBackups;
  if (!backups) return;
  const params = { addon: 'The postgres add-on', backup: 'A backup id such as b001' };
  const pgAddon = async (app: AppRow, name: string) => {
    const addon = await addons.get(app, name);
    if (addon.kind !== 'postgres') throw new AppError('invalid_params', `${name} is a ${addon.kind} add-on: backups are for postgres add-ons`);
    return addon;
  };

  table.add({
    method: 'get',
    path: `${addonPath}/backups`,
    action: 'app:config:read',
    tag: 'addons',
    params,
    summary: "A postgres add-on's backups (pg_dump files kept by the platform)",
    response: z.array(addonBackupSchema),
    handler: async ({ app, params: p }) => backups.list((await pgAddon(app, p['addon']!)).id),
  });

  table.add({
    method: 'post',
    path: `${addonPath}/backups`,
    action: 'app:config:write',
    tag: 'addons',
    params,
    status: 201,
    summary: 'Capture a backup of a postgres add-on now (the oldest goes past the number kept)',
    response: addonBackupSchema,
    handler: async ({ app, params: p }) => {
      const addon = await pgAddon(app, p['addon']!);
      return backups.capture(addon.id, await addons.serverOf(addon), addon.resource);
    },
  });

  table.add({
    method: 'post',
    path: `${addonPath}/backups/:backup/restore`,
    action: 'app:config:write',
    tag: 'addons',
    params,
    summary: "Restore a backup into the add-on's database (its objects are replaced by the dump's, in one transaction)",
    response: z.object({ restored: z.string() }),
    handler: async ({ app, params: p, req }) => {
      const addon = await pgAddon(app, p['addon']!);
      await backups.restore(addon.id, p['backup']!, await addons.serverOf(addon), addon.resource);
      await ctx.access.audit.record({ ...requester(req), action: 'addon.restore', app: app.name, details: { addon: addon.name, backup: p['backup'] } });
      return { restored: p['backup']! };
    },
  });

  table.add({
    method: 'get',
    path: `${addonPath}/backups/:backup/download`,
    action: 'app:config:read',
    tag: 'addons',
    params,
    summary: 'Download a backup (pg_dump custom format: pg_restore reads it)',
    raw: { contentType: 'application/octet-stream' },
    handler: async ({ app, params: p, res }) => {
      const addon = await pgAddon(app, p['addon']!);
      const file = await backups.file(addon.id, p['backup']!);
      res.status(200).setHeader('content-type', 'application/octet-stream');
      res.setHeader('content-disposition', `attachment; filename="${addon.name}-${p['backup']}.dump"`);
      await pipeline(createReadStream(file), res);
    },
  });
}

import { z } from 'zod';
import { AppError } from '@paas/shared';
import { deleteApp, findAppByName, insertApp, listApps } from '../../db/apps.js';
import { getFormation } from '../../db/formation.js';
import { currentRelease } from '../../db/releases.js';
import { isUniqueViolation } from '../../db/queryable.js';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import { cursorValue, page, pageQuery } from '../pagination.js';
import type { RouteTable } from '../route-table.js';
import { appInfoSchema, appName, appSchema } from '../schemas.js';
import { appJson } from '../serializers.js';

const createBody = z.object({ name: appName });

export function appsRoutes(table: RouteTable, ctx: ApiContext): void {
  // Heroku's CLI lists a user's apps at /users/~/apps, heroku-client's examples at /account/apps.
  for (const path of ['/apps', '/users/~/apps', '/account/apps']) table.add({
    method: 'get',
    path,
    action: 'account',
    tag: 'apps',
    summary: path === '/apps' ? 'List the apps you own or collaborate on (all apps for an admin), by name' : 'The same list as GET /apps (Heroku’s name for it)',
    query: pageQuery,
    paginated: true,
    response: z.array(appSchema),
    handler: async ({ user, query, res }) => {
      const apps = await listApps(ctx.pool, user, { limit: query.limit + 1, after: cursorValue(query) });
      return page(res, apps, query.limit, (a) => a.name).map((a) => appJson(ctx.config, a));
    },
  });

  table.add({
    method: 'post',
    path: '/apps',
    action: 'apps:create',
    tag: 'apps',
    summary: 'Create an app (counts against your apps quota)',
    body: createBody,
    example: { name: 'shop' },
    status: 201,
    response: appSchema,
    handler: async ({ user, body, req }) => {
      const { name } = body;
      let id: string;
      try {
        id = await ctx.access.quotas.createApp(user.id, async (tx) => {
          const created = await insertApp(tx, name, user.id);
          await ctx.access.audit.record({ ...requester(req), action: 'app.create', app: name }, tx);
          return created;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('name_taken', `Name ${name} is already taken`);
        throw err;
      }
      try {
        await ctx.repos.create(name);
      } catch (err) {
        await deleteApp(ctx.pool, id);
        throw err;
      }
      ctx.log.info({ app: name, user: user.email }, 'app created');
      return appJson(ctx.config, (await findAppByName(ctx.pool, name))!);
    },
  });

  table.add({
    method: 'get',
    path: '/apps/:app',
    action: 'app:read',
    tag: 'apps',
    summary: "An app's URLs, owner, current release and formation",
    response: appInfoSchema,
    handler: async ({ app }) => {
      const formation = await getFormation(ctx.pool, app.id);
      const release = await currentRelease(ctx.pool, ctx.access.cipher, app.id);
      return {
        ...appJson(ctx.config, app),
        formation: formation.map((f) => ({ type: f.type, quantity: f.quantity, command: release?.process_types[f.type] })),
      };
    },
  });

  table.add({
    method: 'delete',
    path: '/apps/:app',
    action: 'app:destroy',
    tag: 'apps',
    summary: 'Destroy an app: its processes, route, repository, config vars and releases (owner or admin)',
    response: appSchema,
    handler: async ({ app, user, req }) => {
      await ctx.deployer.destroy(app);
      // Its add-ons (and their data) go with it; those shared with it are only detached.
      await ctx.addons?.destroyAppAddons(app);
      // by their engine names: a renamed app's volumes carry the name they were made under
      await ctx.volumes?.removeAll(app);
      await ctx.repos.remove(app.name);
      // The routers drop its certificates now, not at the next certificate resync.
      await ctx.certs.unpublishApp(app);
      await deleteApp(ctx.pool, app.id);
      await ctx.logs?.forget(app.name); // a later app of the same name must not read this one's log
      await ctx.network.forget(app.name); // nor be let in where this one was allowed
      ctx.log.info({ app: app.name, user: user.email }, 'app destroyed');
      await ctx.access.audit.record({ ...requester(req), action: 'app.destroy', app: app.name });
      return appJson(ctx.config, app);
    },
  });
}

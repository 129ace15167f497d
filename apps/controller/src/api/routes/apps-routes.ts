import { Router } from 'express';
import { z } from 'zod';
import { AppError, appNameRule, isValidAppName } from '@paas/shared';
import { deleteApp, findAppByName, insertApp, listApps } from '../../db/apps.js';
import { getFormation } from '../../db/formation.js';
import { currentRelease } from '../../db/releases.js';
import { isUniqueViolation } from '../../db/queryable.js';
import type { ApiContext } from '../context.js';
import { currentUser, loadApp } from '../auth.js';
import { appJson } from '../serializers.js';
import { validate } from '../validate.js';

const createBody = z.object({
  name: z.string({ required_error: 'is required' }).refine(isValidAppName, appNameRule),
});

export function appsRoutes(ctx: ApiContext): Router {
  const r = Router();

  r.get('/apps', async (req, res) => {
    const apps = await listApps(ctx.pool, currentUser(req));
    res.json(apps.map((a) => appJson(ctx.config, a)));
  });

  r.post('/apps', async (req, res) => {
    const { name } = validate(createBody, req.body);
    const user = currentUser(req);
    let id: string;
    try {
      id = await insertApp(ctx.pool, name, user.id);
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
    res.status(201).json(appJson(ctx.config, (await findAppByName(ctx.pool, name))!));
  });

  r.get('/apps/:app', async (req, res) => {
    const app = await loadApp(ctx.pool, currentUser(req), req.params.app!);
    const formation = await getFormation(ctx.pool, app.id);
    const release = await currentRelease(ctx.pool, app.id);
    res.json({
      ...appJson(ctx.config, app),
      formation: formation.map((f) => ({ type: f.type, quantity: f.quantity, command: release?.process_types[f.type] ?? null })),
    });
  });

  r.delete('/apps/:app', async (req, res) => {
    const app = await loadApp(ctx.pool, currentUser(req), req.params.app!);
    await ctx.deployer.destroy(app);
    await ctx.repos.remove(app.name);
    await deleteApp(ctx.pool, app.id);
    ctx.log.info({ app: app.name, user: currentUser(req).email }, 'app destroyed');
    res.json(appJson(ctx.config, app));
  });

  return r;
}

import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '@paas/shared';
import { getFormation, setFormation } from '../../db/formation.js';
import { currentRelease } from '../../db/releases.js';
import type { ApiContext } from '../context.js';
import { currentUser, loadApp } from '../auth.js';
import { dynoJson } from '../serializers.js';
import { validate } from '../validate.js';

const maxPerType = 100;
const patchBody = z.object({
  updates: z
    .array(
      z.object({
        type: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'process types are lowercase letters, digits, - and _'),
        quantity: z.number().int().min(0).max(maxPerType),
      }),
    )
    .min(1),
});

export function formationRoutes(ctx: ApiContext): Router {
  const r = Router();

  const formationJson = async (appId: string) => {
    const release = await currentRelease(ctx.pool, appId);
    return (await getFormation(ctx.pool, appId)).map((f) => ({
      type: f.type,
      quantity: f.quantity,
      command: release?.process_types[f.type] ?? null,
    }));
  };

  r.get('/apps/:app/formation', async (req, res) => {
    const app = await loadApp(ctx.pool, currentUser(req), req.params.app!);
    res.json(await formationJson(app.id));
  });

  r.patch('/apps/:app/formation', async (req, res) => {
    const app = await loadApp(ctx.pool, currentUser(req), req.params.app!);
    const { updates } = validate(patchBody, req.body);
    const release = await currentRelease(ctx.pool, app.id);
    if (!release) throw new AppError('invalid_params', `${app.name} has no release yet: deploy it with git push first`);
    for (const u of updates) {
      if (release.process_types[u.type] === undefined) {
        const known = Object.keys(release.process_types).join(', ') || 'none';
        throw new AppError('invalid_params', `no ${u.type} process type in v${release.version} (its types: ${known})`);
      }
    }
    await setFormation(ctx.pool, app.id, updates);
    await ctx.deployer.reconcile(app);
    res.json(await formationJson(app.id));
  });

  r.get('/apps/:app/dynos', async (req, res) => {
    const app = await loadApp(ctx.pool, currentUser(req), req.params.app!);
    const procs = await ctx.runtime.list({ app: app.name });
    procs.sort((a, b) => a.type.localeCompare(b.type) || Number(a.name.split('.')[1]) - Number(b.name.split('.')[1]));
    res.json(procs.map(dynoJson));
  });

  return r;
}

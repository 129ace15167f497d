import { Router } from 'express';
import { z } from 'zod';
import { getConfigVars, updateConfigVars } from '../../db/config-vars.js';
import type { ApiContext } from '../context.js';
import { currentUser, loadApp } from '../auth.js';
import { validate } from '../validate.js';

const configKey = /^[A-Za-z_][A-Za-z0-9_]*$/;
const reserved = new Set(['PORT', 'DYNO']);
const patchBody = z
  .record(z.string().nullable())
  .superRefine((vars, ctx) => {
    for (const key of Object.keys(vars)) {
      if (!configKey.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'config var names are letters, digits and underscores, not starting with a digit' });
      else if (reserved.has(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'is set by the platform and cannot be changed' });
    }
    if (Object.keys(vars).length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'no config vars given' });
  });

export function configRoutes(ctx: ApiContext): Router {
  const r = Router();

  r.get('/apps/:app/config-vars', async (req, res) => {
    const app = await loadApp(ctx.pool, currentUser(req), req.params.app!);
    res.json(await getConfigVars(ctx.pool, app.id));
  });

  r.patch('/apps/:app/config-vars', async (req, res) => {
    const user = currentUser(req);
    const app = await loadApp(ctx.pool, user, req.params.app!);
    const changes = validate(patchBody, req.body);
    await updateConfigVars(ctx.pool, app.id, changes);
    const set = Object.keys(changes).filter((k) => changes[k] !== null);
    const unset = Object.keys(changes).filter((k) => changes[k] === null);
    const description = [set.length ? `Set ${set.join(', ')} config vars` : '', unset.length ? `Remove ${unset.join(', ')} config vars` : '']
      .filter(Boolean)
      .join('; ');
    const release = await ctx.releases.releaseConfigChange(app, description, user.id);
    if (release) res.setHeader('Paas-Release', String(release.version));
    res.json(await getConfigVars(ctx.pool, app.id));
  });

  return r;
}

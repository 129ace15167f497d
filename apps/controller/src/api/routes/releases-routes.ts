import { Router } from 'express';
import { AppError } from '@paas/shared';
import { getBuild, listBuilds } from '../../db/builds.js';
import { listReleases } from '../../db/releases.js';
import type { ApiContext } from '../context.js';
import { currentUser, loadApp } from '../auth.js';
import { buildJson, releaseJson } from '../serializers.js';

const uuid = /^[0-9a-f-]{36}$/;

export function releasesRoutes(ctx: ApiContext): Router {
  const r = Router();

  r.get('/apps/:app/releases', async (req, res) => {
    const app = await loadApp(ctx.pool, currentUser(req), req.params.app!);
    const releases = await listReleases(ctx.pool, app.id);
    res.json(releases.map((rel) => releaseJson(rel, app.current_release)));
  });

  r.get('/apps/:app/builds', async (req, res) => {
    const app = await loadApp(ctx.pool, currentUser(req), req.params.app!);
    res.json((await listBuilds(ctx.pool, app.id)).map(buildJson));
  });

  r.get('/apps/:app/builds/:id', async (req, res) => {
    const app = await loadApp(ctx.pool, currentUser(req), req.params.app!);
    const build = uuid.test(req.params.id!) ? await getBuild(ctx.pool, app.id, req.params.id!) : undefined;
    if (!build) throw new AppError('build_not_found', `no build ${req.params.id} for ${app.name}`);
    res.json({ ...buildJson(build), output: build.output });
  });

  return r;
}

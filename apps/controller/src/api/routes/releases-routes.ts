import { z } from 'zod';
import { AppError } from '@paas/shared';
import { getBuild, listBuilds } from '../../db/builds.js';
import { listReleases } from '../../db/releases.js';
import { findRelease } from '../../db/release-ref.js';
import { getPhaseOutput } from '../../db/phase-output.js';
import type { ApiContext } from '../context.js';
import { cursorValue, page, pageQuery } from '../pagination.js';
import type { RouteTable } from '../route-table.js';
import { buildSchema, buildWithOutputSchema, releaseSchema } from '../schemas.js';
import { buildJson, releaseJson } from '../serializers.js';

const releaseOutputSchema = z.object({
  version: z.number().int(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  output: z.string().nullable().describe('null: the release ran no release phase or postdeploy script'),
});

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function releasesRoutes(table: RouteTable, ctx: ApiContext): void {
  table.add({
    method: 'get',
    path: '/apps/:app/releases',
    action: 'app:read',
    tag: 'releases',
    summary: "The app's releases, newest first",
    query: pageQuery,
    paginated: true,
    response: z.array(releaseSchema),
    handler: async ({ app, query, res }) => {
      const before = cursorValue(query);
      if (before !== undefined && !/^\d{1,9}$/.test(before)) throw new AppError('invalid_params', 'cursor: is not a cursor from a Next-Cursor header');
      const releases = await listReleases(ctx.pool, ctx.access.cipher, app.id, query.limit + 1, before === undefined ? undefined : Number(before));
      return page(res, releases, query.limit, (r) => String(r.version)).map((rel) => releaseJson(rel, app.current_release));
    },
  });

  table.add({
    method: 'get',
    path: '/apps/:app/releases/:release/output',
    action: 'app:read',
    tag: 'releases',
    summary: 'What the release phase and postdeploy scripts of a release printed (`paas releases:output vN`)',
    params: { release: 'The release: v3, 3 or its id' },
    response: releaseOutputSchema,
    handler: async ({ app, params }) => {
      const release = await findRelease(ctx.pool, ctx.access.cipher, app, params['release'] ?? '');
      return { version: release.version, status: release.status, output: await getPhaseOutput(ctx.pool, release.id) };
    },
  });

  table.add({
    method: 'get',
    path: '/apps/:app/builds',
    action: 'app:read',
    tag: 'builds',
    summary: "The app's builds, newest first",
    query: pageQuery,
    paginated: true,
    response: z.array(buildSchema),
    handler: async ({ app, query, res }) => {
      const after = cursorValue(query);
      if (after !== undefined && !uuid.test(after)) throw new AppError('invalid_params', 'cursor: is not a cursor from a Next-Cursor header');
      const builds = await listBuilds(ctx.pool, app.id, query.limit + 1, after);
      return page(res, builds, query.limit, (b) => b.id).map(buildJson);
    },
  });

  table.add({
    method: 'get',
    path: '/apps/:app/builds/:build',
    action: 'app:read',
    tag: 'builds',
    summary: 'One build, with its output',
    params: { build: 'The build id' },
    response: buildWithOutputSchema,
    handler: async ({ app, req, params }) => {
      const id = params['build'] ?? '';
      const build = uuid.test(id) ? await getBuild(ctx.pool, app.id, id) : undefined;
      if (!build) throw new AppError('build_not_found', `no build ${id} for ${app.name}`);
      return { ...buildJson(build), output: build.output };
    },
  });
}

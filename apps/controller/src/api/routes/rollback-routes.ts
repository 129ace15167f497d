import { z } from 'zod';
import { findRelease } from '../../db/release-ref.js';
import { rollback } from '../../deploy/rollback.js';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';
import { configVarsSchema, releaseSchema } from '../schemas.js';
import { releaseJson } from '../serializers.js';

const releaseParam = { release: 'A release: v3, 3 or its id' };

const rollbackBody = z.object({
  release: z
    .union([z.string().min(1).max(64), z.number().int().positive()], { errorMap: () => ({ message: 'is required: the release to roll back to, e.g. v3' }) })
    .transform(String)
    .describe('The release to roll back to: v3, 3 or its id'),
});

/** One release (`releases:info`) and rollback, which Heroku's API spells as creating a release. */
export function rollbackRoutes(table: RouteTable, ctx: ApiContext): void {
  table.add({
    method: 'post',
    path: '/apps/:app/releases',
    action: 'app:deploy',
    tag: 'releases',
    summary: "Roll back: a new release with an earlier release's image, process types and config vars",
    description:
      "The app's config vars are restored to that release's snapshot (put back if the new release fails to boot). " +
      'Only a release that succeeded can be rolled back to.',
    body: rollbackBody,
    example: { release: 'v1' },
    status: 201,
    response: releaseSchema,
    handler: async ({ app, user, body, req }) => {
      const audit = { ...requester(req), action: 'deploy' as const, app: app.name };
      try {
        const release = await rollback({ pool: ctx.pool, cipher: ctx.access.cipher, releases: ctx.releases, images: ctx.deployer }, app, body.release, user.id);
        await ctx.access.audit.record({ ...audit, details: { rollback: body.release, result: 'succeeded', release: release.version } });
        return releaseJson(release, release.version);
      } catch (err) {
        await ctx.access.audit.record({ ...audit, details: { rollback: body.release, result: 'refused', error: (err as { code?: string }).code ?? 'internal' } });
        throw err;
      }
    },
  });

  table.add({
    method: 'get',
    path: '/apps/:app/releases/:release',
    action: 'app:read',
    tag: 'releases',
    summary: 'One release',
    params: releaseParam,
    response: releaseSchema,
    handler: async ({ app, req }) => {
      const release = await findRelease(ctx.pool, ctx.access.cipher, app, String(req.params['release'] ?? ''));
      return releaseJson(release, app.current_release);
    },
  });

  table.add({
    method: 'get',
    path: '/apps/:app/releases/:release/config-vars',
    action: 'app:config:read',
    tag: 'releases',
    summary: "The config vars a release runs with (its snapshot)",
    params: releaseParam,
    response: configVarsSchema,
    handler: async ({ app, req }) => (await findRelease(ctx.pool, ctx.access.cipher, app, String(req.params['release'] ?? ''))).config,
  });
}

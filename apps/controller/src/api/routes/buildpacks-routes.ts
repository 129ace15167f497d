import { z } from 'zod';
import { buildpackInstallationSchema } from '@paas/shared/api-contract';
import { AppError, EgressGuard, buildpackEgressUse, isAppError, parseBuildpackEntry } from '@paas/shared';
import { setAppBuildpacks } from '../../db/app-buildpacks.js';
import { requester } from '../auth.js';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';

/** Heroku's buildpack installation: `{ buildpack: { url, name }, ordinal }`. */
const updateBody = z.object({
  updates: z
    .array(z.object({ buildpack: z.string().trim().min(1).max(500) }))
    .max(20)
    .describe('The buildpacks in order: built-in names (nodejs, python, go, static, or heroku/<name>) git URLs with an optional #ref, or tarball URLs (.tgz); empty: detect'),
});

function installations(buildpacks: readonly string[]): z.infer<typeof buildpackInstallationSchema>[] {
  return buildpacks.map((url, ordinal) => ({ buildpack: { url, name: buildpackName(url) }, ordinal }));
}

/** `nodejs` for a built-in, the repository's name for a git URL. */
function buildpackName(url: string): string {
  try {
    const entry = parseBuildpackEntry(url);
    if (entry.kind === 'builtin') return entry.name;
    return (entry.url.replace(/\/+$/, '').split('/').pop() ?? url).replace(/\.(git|tgz|tar\.gz|tar)$/i, '');
  } catch {
    return url;
  }
}

/** An app's buildpacks (Heroku's buildpack-installations) and its build cache. */
export function buildpacksRoutes(table: RouteTable, ctx: ApiContext): void {
  const egress = ctx.egress ?? new EgressGuard();
  table.add({
    method: 'get',
    path: '/apps/:app/buildpack-installations',
    action: 'app:read',
    tag: 'builds',
    summary: "The app's buildpacks, in the order they run; none: the built-in buildpacks detect the app",
    response: z.array(buildpackInstallationSchema),
    handler: ({ app }) => installations(app.buildpacks),
  });

  table.add({
    method: 'put',
    path: '/apps/:app/buildpack-installations',
    action: 'app:deploy',
    tag: 'builds',
    summary: "Sets the app's buildpacks (used from the next build on); an empty list returns to detection",
    body: updateBody,
    example: { updates: [{ buildpack: 'nodejs' }, { buildpack: 'https://github.com/heroku/heroku-buildpack-static.git#main' }] },
    response: z.array(buildpackInstallationSchema),
    handler: async ({ app, body, req }) => {
      const list = body.updates.map((u) => u.buildpack);
      for (const entry of list) {
        try {
          const parsed = parseBuildpackEntry(entry);
          // The builder checks again (and at connect time) for each build: a name may resolve elsewhere by then.
          if (parsed.kind === 'git') await egress.checkUrl(parsed.url, buildpackEgressUse, { unresolved: 'allow' });
        } catch (err) {
          if (isAppError(err)) throw new AppError('invalid_params', `updates: ${err.message}`);
          throw err;
        }
      }
      const saved = await setAppBuildpacks(ctx.pool, app.id, list);
      // credentials in a URL (https://user:token@host/...) stay out of the audit log
      const buildpacks = saved.map((url) => url.replace(/\/\/[^/@\s]*@/, '//***@'));
      await ctx.access.audit.record({ ...requester(req), action: 'buildpacks.update', app: app.name, details: { buildpacks } });
      return installations(saved);
    },
  });

  table.add({
    method: 'delete',
    path: '/apps/:app/build-cache',
    action: 'app:deploy',
    tag: 'builds',
    summary: "Purges the app's build cache: its next build starts with an empty cache (dependencies installed afresh)",
    status: 202,
    response: z.object({ message: z.string() }),
    handler: async ({ app, req }) => {
      await ctx.pushService.builds.purgeCache(app.name);
      await ctx.access.audit.record({ ...requester(req), action: 'build_cache.purge', app: app.name });
      return { message: `The build cache of ${app.name} will be empty for its next build` };
    },
  });
}

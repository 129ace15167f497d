import { z } from 'zod';
import { AppError } from '@paas/shared';
import { getFormation } from '../../db/formation.js';
import { currentRelease, type ReleaseRow } from '../../db/releases.js';
import type { ScaledApp } from '../../db/quotas.js';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';
import { dynoSchema, formationEntrySchema } from '../schemas.js';
import { dynoJson } from '../serializers.js';
import { isOneOffRunner } from '../../runtime/one-off.js';
import { oneOffService } from '../one-off-services.js';
import { releaseProcessType } from '../../deploy/release-phase.js';
import type { AppRow } from '../../db/apps.js';
import type { ProcessInfo } from '../../runtime/runtime-backend.js';

const maxPerType = 100;
const patchBody = z.object({
  updates: z
    .array(
      z.object({
        type: z
          .string()
          .max(63)
          .regex(/^[a-z][a-z0-9_-]*$/, 'process types are lowercase letters, digits, - and _')
          .refine((t) => t !== releaseProcessType, 'release is the release phase: it runs once per release and is never scaled'),
        // Heroku's CLI sends quantities as strings ("2"); Heroku's API takes both. "2x" is no quantity.
        quantity: z
          .union([z.number(), z.string().regex(/^\d{1,4}$/, 'must be a whole number such as 2').transform(Number)], {
            errorMap: () => ({ message: 'must be a whole number such as 2' }),
          })
          .pipe(z.number().int('must be a whole number').min(0).max(maxPerType)),
      }),
    )
    .min(1)
    .max(50),
});

export function formationRoutes(table: RouteTable, ctx: ApiContext): void {
  const oneOffs = oneOffService(ctx);
  const formationJson = async (appId: string, release?: ReleaseRow) => {
    release ??= await currentRelease(ctx.pool, ctx.access.cipher, appId);
    return (await getFormation(ctx.pool, appId)).map((f) => ({
      type: f.type,
      quantity: f.quantity,
      command: release?.process_types[f.type],
    }));
  };
  const withApp = <T extends object>(app: AppRow, entries: T[]) => entries.map((e) => ({ ...e, app: { id: app.id, name: app.name } }));
  /**
   * Heroku's dynos: the current release's processes, each name once (a process being replaced by a
   * deploy or a restart is not listed beside its replacement), then the one-offs.
   */
  const currentDynos = (app: AppRow, procs: ProcessInfo[]): ProcessInfo[] => {
    const byName = new Map<string, ProcessInfo>();
    const rank = (p: ProcessInfo): number => (p.release === app.current_release ? 2 : 0) + (p.state === 'up' ? 1 : 0);
    for (const p of procs) {
      const seen = byName.get(p.name);
      if (!seen || rank(p) > rank(seen) || (rank(p) === rank(seen) && p.release > seen.release)) byName.set(p.name, p);
    }
    return [...byName.values()];
  };

  table.add({
    method: 'get',
    path: '/apps/:app/formation',
    action: 'app:read',
    tag: 'formation',
    summary: 'How many processes of each type the app runs',
    response: z.array(formationEntrySchema),
    handler: async ({ app }) => withApp(app, await formationJson(app.id)),
  });

  table.add({
    method: 'patch',
    path: '/apps/:app/formation',
    action: 'app:scale',
    tag: 'formation',
    summary: "Scale process types (counts against the owner's processes quota)",
    body: patchBody,
    example: { updates: [{ type: 'web', quantity: 2 }] },
    response: z.array(formationEntrySchema),
    handler: async ({ app, body, req }) => {
      const { updates } = body;
      // deploy/formation-service.ts: the owner's lock and the reads after it, the check, then the write,
      // the audit event and COMMIT. `known` explains a refusal other than the quota's.
      const known = (scaled: ScaledApp): void => {
        const release = scaled.release;
        if (!release) throw new AppError('invalid_params', `${app.name} has no release yet: deploy it with git push first`);
        for (const u of updates) {
          if (release.process_types[u.type] === undefined) {
            const types = Object.keys(release.process_types).join(', ') || 'none';
            throw new AppError('invalid_params', `no ${u.type} process type in v${release.version} (its types: ${types})`);
          }
        }
      };
      const audit = { actorId: req.user?.id ?? null, app: app.name, ip: requester(req).ip, details: { updates } };
      const scale = () => ctx.access.formation.scale(app.owner_id, app.id, updates, { audit, explain: known });
      const { formation, app: scaled } = await scale().catch(async (err: unknown) => {
        // Refused: one-offs that have exited since they were counted may be what fills the quota.
        if (!(err instanceof AppError && err.code === 'quota_exceeded') || (await oneOffs.sweep(app.owner_id)) === 0) throw err;
        return scale();
      });
      const processTypes = scaled.release?.process_types ?? {};
      ctx.access.audit.announce({ ...requester(req), action: 'formation.update', app: app.name, details: { updates } });
      await Promise.all([ctx.logs?.events.scaled(app.name, updates, req.user?.email), ctx.deployer.reconcile(app)]);
      return withApp(app, formation.map((f) => ({ type: f.type, quantity: f.quantity, command: processTypes[f.type] })));
    },
  });

  table.add({
    method: 'get',
    path: '/apps/:app/dynos',
    action: 'app:read',
    tag: 'formation',
    summary: "The app's processes, one-offs (run.N) included: the current release's, each name once (not one a deploy is replacing)",
    response: z.array(dynoSchema),
    handler: async ({ app }) => {
      const procs = currentDynos(app, await ctx.runtime.list({ app: app.name }));
      if (isOneOffRunner(ctx.runtime)) procs.push(...(await ctx.runtime.listOneOffs({ app: app.name })));
      procs.sort((a, b) => a.type.localeCompare(b.type) || Number(a.name.split('.')[1]) - Number(b.name.split('.')[1]));
      return procs.map((p) => ({ ...dynoJson(p), app: { id: app.id, name: app.name }, ...ctx.metrics?.usage(p.id) }));
    },
  });
}

import { z } from 'zod';
import { processLimitsSchema } from '@paas/shared/api-contract';
import { AppError } from '@paas/shared';
import type { AppRow } from '../../db/apps.js';
import { getFormation, setLimits } from '../../db/formation.js';
import { currentRelease } from '../../db/releases.js';
import { inTransaction } from '../../db/queryable.js';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';

/** The engine's bounds (and migrations/004's checks): 16 MB to 256 GB of memory, up to 256 cores. */
export const memoryRange = { min: 16, max: 262_144 } as const;
export const maxCpus = 256;

const patchBody = z
  .object({
    type: z.string({ required_error: 'is required: a process type, e.g. web' }).max(63),
    memory_mb: z
      .number()
      .int('must be a whole number of MB')
      .min(memoryRange.min, `must be at least ${memoryRange.min} MB`)
      .max(memoryRange.max, `must be at most ${memoryRange.max} MB`)
      .nullable()
      .optional()
      .describe('null removes the limit'),
    cpus: z
      .number()
      .positive('must be more than 0')
      .max(maxCpus, `must be at most ${maxCpus}`)
      .refine((n) => Math.round(n * 100) >= 1, 'must be at least 0.01')
      .transform((n) => Math.round(n * 100) / 100)
      .nullable()
      .optional()
      .describe('Cores, to two decimals; null removes the limit'),
  })
  .refine((b) => b.memory_mb !== undefined || b.cpus !== undefined, { message: 'give memory_mb, cpus or both', path: [] });

/** Per-process-type resource limits, enforced by the engine (Docker's Memory and NanoCpus). */
export function limitsRoutes(table: RouteTable, ctx: ApiContext): void {
  const limitsJson = async (app: AppRow) => {
    const release = await currentRelease(ctx.pool, ctx.access.cipher, app.id);
    const formation = new Map((await getFormation(ctx.pool, app.id)).map((f) => [f.type, f]));
    const types = [...new Set([...Object.keys(release?.process_types ?? {}), ...formation.keys()])].sort();
    return types.map((type) => {
      const f = formation.get(type);
      return { type, quantity: f?.quantity ?? 0, memory_mb: f?.memory_mb ?? null, cpus: f?.cpus ?? null };
    });
  };

  table.add({
    method: 'get',
    path: '/apps/:app/limits',
    action: 'app:read',
    tag: 'formation',
    summary: 'Memory and CPU limits per process type',
    response: z.array(processLimitsSchema),
    handler: ({ app }) => limitsJson(app),
  });

  table.add({
    method: 'patch',
    path: '/apps/:app/limits',
    action: 'app:scale',
    tag: 'formation',
    summary: "Set a process type's limits; its processes are replaced (each new one starts before the old one stops)",
    body: patchBody,
    example: { type: 'web', memory_mb: 512, cpus: 0.5 },
    response: z.array(processLimitsSchema),
    handler: async ({ app, body, req }) => {
      const release = await currentRelease(ctx.pool, ctx.access.cipher, app.id);
      if (!release) throw new AppError('invalid_params', `${app.name} has no release yet: deploy it first, then set the limits of its process types`);
      if (release.process_types[body.type] === undefined) {
        const known = Object.keys(release.process_types).join(', ') || 'none';
        throw new AppError('invalid_params', `type: no ${body.type} process type in v${release.version} (its types: ${known})`);
      }
      if (typeof body.memory_mb === 'number') await ctx.access.quotas.assertMemory(app.owner_id, body.memory_mb);
      // the audit event commits with the limits, or neither does
      await inTransaction(ctx.pool, async (tx) => {
        await setLimits(tx, app.id, body.type, { memoryMb: body.memory_mb, cpus: body.cpus });
        await ctx.access.audit.record(
          { ...requester(req), action: 'formation.update', app: app.name, details: { limits: { type: body.type, memory_mb: body.memory_mb, cpus: body.cpus } } },
          tx,
        );
      });
      await ctx.deployer.reconcile(app);
      return limitsJson(app);
    },
  });
}

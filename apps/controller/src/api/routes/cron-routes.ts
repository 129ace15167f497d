import { z } from 'zod';
import { lastCronRuns } from '../../db/cron-runs.js';
import { currentRelease } from '../../db/releases.js';
import { parseCron, nextTick } from '../../deploy/cron-schedule.js';
import { cronJobs } from '../../deploy/cron-scheduler.js';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';

const cronJobSchema = z.object({
  id: z.string(),
  command: z.string(),
  schedule: z.string().describe('Five cron fields or a macro, in UTC'),
  next_run_at: z.string().nullable(),
  last_run: z
    .object({ tick: z.string(), exit_code: z.number().int().nullable(), error: z.string().nullable(), finished_at: z.string().nullable() })
    .nullable(),
});

/** `paas cron`: the app.json cron entries of the current release, with their next and last runs. */
export function cronRoutes(table: RouteTable, ctx: ApiContext): void {
  table.add({
    method: 'get',
    path: '/apps/:app/cron',
    action: 'app:read',
    tag: 'releases',
    summary: "The current release's app.json cron entries, their next run and their last",
    response: z.array(cronJobSchema),
    handler: async ({ app }) => {
      const release = await currentRelease(ctx.pool, ctx.access.cipher, app.id);
      const last = new Map((await lastCronRuns(ctx.pool, app.id)).map((r) => [r.job_id, r]));
      const now = new Date();
      return cronJobs(release?.app_json?.['cron']).map((job) => {
        const run = last.get(job.id);
        return {
          ...job,
          next_run_at: nextTick(parseCron(job.schedule), now)?.toISOString() ?? null,
          last_run: run
            ? { tick: run.tick.toISOString(), exit_code: run.exit_code, error: run.error, finished_at: run.finished_at?.toISOString() ?? null }
            : null,
        };
      });
    },
  });
}

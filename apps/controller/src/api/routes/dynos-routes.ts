import { z } from 'zod';
import { AppError } from '@paas/shared';
import type { Request } from 'express';
import type { AppRow } from '../../db/apps.js';
import { getFormation } from '../../db/formation.js';
import { currentRelease } from '../../db/releases.js';
import { oneOffService } from '../one-off-services.js';
import { isOneOffName, oneOffType } from '../../runtime/one-off.js';
import type { ProcessInfo } from '../../runtime/runtime-backend.js';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';
import { dynoSchema } from '../schemas.js';
import { controlCharactersButTabAndNewline, invalidCharactersIssue } from '../text-rules.js';
import { dynoJson } from '../serializers.js';

export const runBody = z.object({
  command: z
    .string({ required_error: 'is required: the command line to run' })
    .max(16_384)
    // It is shown by paas ps and kept in the audit log: no terminal escapes (tabs and newlines are fine).
    .refine((c) => !controlCharactersButTabAndNewline.test(c), { message: 'must not contain control characters other than tab and newline', params: invalidCharactersIssue }),
  attach: z.boolean().default(false).describe('Attach to it: needs `Connection: Upgrade` and `Upgrade: tcp` (see /openapi.json)'),
  tty: z.boolean().default(false).describe('Allocate a terminal (attached only)'),
  size: z
    .object({ cols: z.number().int().min(1).max(65535), rows: z.number().int().min(1).max(65535) })
    .optional()
    .describe("The terminal's size, with tty"),
  needs: z
    .enum(['psql'])
    .optional()
    .describe("A program the command needs (paas pg:psql): the app's image when it has it, else the platform's image of it"),
});

const dynoParam = { dyno: 'A process (`web.1`, `run.3`), a process type (`web`) or a container id' };

function byName(a: ProcessInfo, b: ProcessInfo): number {
  return a.type.localeCompare(b.type) || Number(a.name.split('.')[1]) - Number(b.name.split('.')[1]);
}

/**
 * The processes `target` names among `procs`: one process (`web.1` or its id), every process of a
 * type (`web`), or all of them (no target). Naming nothing that runs is a clear error.
 */
export function selectProcesses(app: string, procs: ProcessInfo[], target: string | undefined, knownTypes: string[]): ProcessInfo[] {
  if (target === undefined || target === '') return procs;
  const one = procs.filter((p) => p.name === target || p.id === target);
  if (one.length) return one;
  const ofType = procs.filter((p) => p.type === target);
  if (ofType.length) return ofType;
  const running = procs.map((p) => p.name).sort();
  const listing = running.length ? `its processes: ${running.join(', ')}` : 'it runs no processes';
  if (knownTypes.includes(target)) throw new AppError('not_found', `no ${target} process runs on ${app} (${listing}; scale with paas scale ${target}=1)`);
  if (/^[a-z][a-z0-9_-]*$/.test(target)) {
    const types = knownTypes.length ? knownTypes.join(', ') : 'none';
    throw new AppError('not_found', `${app} has no process type ${target} (its types: ${types})`);
  }
  throw new AppError('not_found', `no process ${target} on ${app} (${listing})`);
}

/**
 * What the audit log keeps of a one-off run. The command is kept (cut to 200 characters): who ran
 * what is the point, and `paas ps` shows it to the app's users anyway.
 */
export function runDetails(process: string, command: string, attach: boolean, tty = false): Record<string, unknown> {
  return { process, command: command.trim().slice(0, 200), attach, ...(attach ? { tty } : {}) };
}

/** Processes: restart (a replacement first, then the old one stops), stop, and one-off runs. */
export function dynosRoutes(table: RouteTable, ctx: ApiContext): void {
  const oneOffs = oneOffService(ctx);

  const restart = async (app: AppRow, target: string | undefined, req: Request): Promise<unknown> => {
    const release = await currentRelease(ctx.pool, ctx.access.cipher, app.id);
    if (!release) throw new AppError('invalid_params', `${app.name} has no release yet: deploy it with git push first`);
    if (target !== undefined && isOneOffName(target)) {
      throw new AppError('invalid_params', `${target} is a one-off process: it cannot be restarted (stop it with paas ps:stop ${target})`);
    }
    const procs = await ctx.runtime.list({ app: app.name });
    const chosen = selectProcesses(app.name, procs, target, Object.keys(release.process_types));
    await ctx.logs?.events.say(app.name, `Restarting ${chosen.map((p) => p.name).sort().join(', ') || 'no process'}`);
    const audit = { ...requester(req), action: 'process.restart' as const, app: app.name };
    const processes = chosen.map((p) => p.name).sort();
    try {
      // The reconcile starts a replacement of each (web ones must answer HTTP), switches the route, and
      // only then stops the old ones: the app keeps serving.
      await ctx.deployer.reconcile(app, { wait: true, replace: new Set(chosen.map((p) => p.id)) });
      const now = await ctx.runtime.list({ app: app.name });
      const quantity = new Map((await getFormation(ctx.pool, app.id)).map((f) => [f.type, f.quantity]));
      const wanted = chosen.filter((p) => Number(p.name.split('.')[1]) <= (quantity.get(p.type) ?? 0));
      const back = (p: ProcessInfo): boolean => now.some((n) => n.name === p.name && n.id !== p.id && n.state !== 'crashed');
      const failed = wanted.filter((p) => !back(p)).map((p) => p.name);
      if (failed.length) throw new AppError('release_failed', `${failed.join(', ')} did not come back up after the restart; see paas ps`);
      await ctx.access.audit.record({ ...audit, details: { processes, result: 'succeeded' } });
      return now.sort(byName).map(dynoJson);
    } catch (err) {
      await ctx.access.audit.record({ ...audit, details: { processes, result: 'failed', error: err instanceof AppError ? err.code : 'internal' } });
      throw err;
    }
  };

  table.add({
    method: 'post',
    path: '/apps/:app/dynos',
    action: 'app:run',
    tag: 'formation',
    summary: 'Run a one-off process (run.N) with the current release',
    description:
      'With `attach: false` the process runs to completion in the background and this answers at once. ' +
      'With `attach: true` the request must ask for `Connection: Upgrade`, `Upgrade: tcp`: the answer is ' +
      '101 (header `Paas-Process: run.N`) and the connection then carries frames (packages/shared attach-frames.ts) ' +
      'of stdin, stdout, stderr, terminal size and finally the exit code.',
    body: runBody,
    example: { command: 'node migrate.js', attach: false },
    status: 201,
    response: dynoSchema,
    handler: async ({ app, body, req }) => {
      if (body.attach) {
        throw new AppError('invalid_params', 'attach: an attached run needs the connection upgraded (Connection: Upgrade, Upgrade: tcp); paas run does this');
      }
      // The audit event commits with the run's start, or the run is stopped and fails.
      const info = await oneOffs.runDetached(app, { command: body.command, ...(body.needs ? { needs: body.needs } : {}) }, (tx, process) =>
        ctx.access.audit.record({ ...requester(req), action: 'process.run', app: app.name, details: runDetails(process, body.command, false) }, tx),
      );
      return dynoJson(info);
    },
  });

  table.add({
    method: 'delete',
    path: '/apps/:app/dynos',
    action: 'app:scale',
    tag: 'formation',
    summary: "Restart all the app's processes (each replacement starts before the old one stops)",
    response: z.array(dynoSchema),
    handler: ({ app, req }) => restart(app, undefined, req),
  });

  table.add({
    method: 'delete',
    path: '/apps/:app/dynos/:dyno',
    action: 'app:scale',
    tag: 'formation',
    summary: 'Restart one process (web.1) or every process of a type (web); the replacement starts before the old one stops',
    params: dynoParam,
    response: z.array(dynoSchema),
    handler: ({ app, req }) => restart(app, String(req.params['dyno'] ?? ''), req),
  });

  table.add({
    method: 'post',
    path: '/apps/:app/dynos/:dyno/actions/stop',
    action: 'app:scale',
    tag: 'formation',
    summary: 'Stop a process, a process type or a one-off; formation processes are started again by the reconcile loop',
    params: dynoParam,
    status: 202,
    response: z.array(dynoSchema),
    handler: async ({ app, req }) => {
      const target = String(req.params['dyno'] ?? '');
      const release = await currentRelease(ctx.pool, ctx.access.cipher, app.id);
      const procs = [...(await ctx.runtime.list({ app: app.name })), ...(await oneOffs.list(app))];
      const chosen = selectProcesses(app.name, procs, target, [...Object.keys(release?.process_types ?? {}), oneOffType]);
      // SIGTERM, then SIGKILL after the platform's grace period (PAAS_STOP_GRACE), as in releases.
      await ctx.deployer.stopProcesses(chosen);
      ctx.log.info({ app: app.name, processes: chosen.map((p) => p.name) }, 'processes stopped');
      await ctx.access.audit.record({ ...requester(req), action: 'process.stop', app: app.name, details: { processes: chosen.map((p) => p.name).sort() } });
      return chosen.sort(byName).map((p) => ({ ...dynoJson(p), state: 'down' }));
    },
  });
}

import { z } from 'zod';
import { logSessionSchema } from '@paas/shared/api-contract';
import { AppError, type LogSource } from '@paas/shared';
import { findUserById } from '../../db/users.js';
import type { ApiContext } from '../context.js';
import { loadApp } from '../auth.js';
import { LogSessions } from '../heroku/log-sessions.js';
import { streamAppLog } from './logs-routes.js';
import type { RouteTable } from '../route-table.js';

const herokuSources = ['app', 'heroku', 'router', 'platform'] as const;

/** Heroku's CLI sends numbers as numbers, some scripts as strings: both are read. */
const lines = z
  .union([z.number(), z.string().regex(/^\d{1,6}$/, 'must be a whole number').transform(Number)])
  .pipe(z.number().int('must be a whole number').min(1, 'must be at least 1').max(10_000, 'must be at most 10000'));

export const logSessionBody = z
  .object({
    lines: lines.optional().describe('History lines before the tail (default 100, at most 10000)'),
    tail: z.boolean().optional().describe('Keep streaming new lines'),
    source: z.enum(herokuSources).optional().describe("Only lines from app, router or platform; heroku: the router's and the platform's"),
    dyno: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'a process (web.1), a process type (web) or router')
      .optional()
      .describe('Only this process, or every process of this type'),
    type: z.string().max(63).optional().describe("Heroku's process type filter (as dyno)"),
  })
  .strict();

/** The filter a Heroku `source`/`dyno` pair means among paas's log sources. */
export function logFilterOf(body: { source?: (typeof herokuSources)[number] | undefined; dyno?: string | undefined }): { sources?: LogSource[]; ps?: string } {
  const ps = body.dyno;
  if (body.source === 'heroku') {
    // Heroku's router lines are source heroku, dyno router.
    if (ps === 'router') return { sources: ['router'] };
    return { sources: ['router', 'platform'], ...(ps ? { ps } : {}) };
  }
  if (ps === 'router' && body.source === undefined) return { sources: ['router'] };
  return { ...(body.source ? { sources: [body.source] } : {}), ...(ps ? { ps } : {}) };
}

/**
 * Heroku's `POST /apps/{app}/log-sessions` (`heroku logs`): a `logplex_url` on this API that
 * streams the app's log (server-sent events to an EventSource, else plain text), authorised by the
 * single-use, five-minute token in it (heroku/log-sessions.ts), never by the API token.
 */
export function logSessionRoutes(table: RouteTable, ctx: ApiContext): void {
  const logs = ctx.logs;
  if (!logs) return;
  const sessions = ctx.logSessions ?? new LogSessions(logs.store.redis, logs.store.keys);

  table.add({
    method: 'post',
    path: '/apps/:app/log-sessions',
    action: 'app:logs',
    tag: 'logs',
    summary: "A log session: a logplex_url that streams the app's log once, within five minutes, with no other credentials",
    body: logSessionBody,
    example: { lines: 100, tail: true, source: 'app', dyno: 'web.1' },
    status: 201,
    response: logSessionSchema,
    handler: async ({ app, user, body }) => {
      const filter = logFilterOf({ source: body.source, dyno: body.dyno ?? (body.type ? body.type : undefined) });
      const { id, token } = await sessions.create({ app_id: app.id, user_id: user.id, lines: body.lines ?? 100, tail: body.tail ?? false, ...filter });
      const now = new Date().toISOString();
      return { id, logplex_url: `${ctx.config.api.url}/log-sessions/${token}`, created_at: now, updated_at: now };
    },
  });

  table.add({
    method: 'get',
    path: '/log-sessions/:token',
    action: 'public',
    tag: 'logs',
    summary: "A log session's stream (its token is its authorisation; usable once): text/event-stream or text/plain",
    params: { token: 'The token of the logplex_url' },
    raw: { contentType: 'text/event-stream' },
    handler: async ({ params, req, res }) => {
      const grant = await sessions.take(params['token'] ?? '');
      const gone = new AppError('log_session_not_found', 'this log session was used already, has expired, or never existed: create another');
      if (!grant) throw gone;
      // The session's user must still be allowed to read the app's log, and the app must still be the same one.
      const user = await findUserById(ctx.pool, grant.user_id);
      if (!user || user.disabled_at) throw gone;
      const { rows } = await ctx.pool.query<{ name: string }>('SELECT name FROM apps WHERE id = $1', [grant.app_id]);
      if (!rows[0]) throw gone;
      const app = await loadApp(ctx.pool, user, rows[0].name, 'app:logs').catch(() => {
        throw gone;
      });
      await streamAppLog(logs, req, res, { app: app.name, lines: grant.lines, tail: grant.tail, filter: { sources: grant.sources, process: grant.ps } });
    },
  });
}

import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { logDrainSchema } from '@paas/shared/api-contract';
import { AppError, logSources } from '@paas/shared';
import { countLogDrains, deleteLogDrain, findLogDrain, insertLogDrain, listLogDrains, type LogDrainRow } from '../../db/log-drains.js';
import { inTransaction, isUniqueViolation } from '../../db/queryable.js';
import type { DrainState } from '../../logs/drain-state.js';
import { displayDrainUrl, drainEgressUse, parseDrainUrl } from '../../logs/drain-url.js';
import type { LogServices } from '../../logs/log-services.js';
import { isStreamId } from '../../logs/log-store.js';
import { streamLogs, type TailRequest } from '../../logs/log-tail.js';
import type { Request, Response } from 'express';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import { drainsPerAppMax as maxDrainsPerApp } from '../input-limits.js';
import type { RouteTable } from '../route-table.js';


const logsQuery = z.object({
  lines: z.coerce.number().int().min(1).max(10_000).default(100).describe('History lines before the tail (default 100)'),
  tail: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1')
    .describe('Keep the connection open and stream new lines'),
  ps: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'a process (web.1), a process type (web) or router')
    .optional()
    .describe('Only this process, or every process of this type'),
  source: z.enum(logSources).optional().describe('Only lines from app, router or platform'),
  after: z.string().regex(/^\d{1,20}-\d{1,20}$/, 'a stream id from an earlier answer').optional().describe('Resume after this line id (instead of history)'),
});

const drainBody = z.object({ url: z.string({ required_error: 'is required' }).max(4096) });

function drainJson(d: LogDrainRow, s: DrainState | undefined) {
  return {
    id: d.id,
    url: displayDrainUrl(d.url),
    token: d.token,
    addon: null,
    app: { id: d.app_id, name: d.app },
    created_at: d.created_at,
    updated_at: d.updated_at,
    status: s?.status ?? 'delivering',
    delivered: s?.delivered ?? 0,
    dropped: s?.dropped ?? 0,
    last_error: s?.lastError ? s.lastError : null,
  };
}

function logsOf(ctx: ApiContext): LogServices {
  if (!ctx.logs) throw new AppError('unavailable', 'logs are not set up on this controller', { retryable: true });
  return ctx.logs;
}

/**
 * Streams an app's log to `res` as one of this controller's bounded tails (server-sent events when
 * the client accepts them, else plain text); a tail has a Redis connection of its own.
 */
export async function streamAppLog(logs: LogServices, req: Request, res: Response, q: Omit<TailRequest, 'sse'>): Promise<void> {
  if (!logs.tails.tryAdd(res)) {
    throw new AppError('unavailable', 'too many log tails are open on this controller; try again shortly', { retryable: true });
  }
  const reader = q.tail ? logs.reader() : logs.store.redis;
  try {
    await streamLogs(logs.store, reader, { ...q, sse: /text\/event-stream/.test(String(req.headers.accept ?? '')) }, res);
  } finally {
    logs.tails.remove(res);
    if (reader !== logs.store.redis) reader.disconnect();
  }
}

/** `GET /apps/{app}/logs` (history and live tail) and the app's log drains (Heroku's `/log-drains`). */
export function logsRoutes(table: RouteTable, ctx: ApiContext): void {
  table.add({
    method: 'get',
    path: '/apps/:app/logs',
    action: 'app:logs',
    tag: 'logs',
    summary: "The app's log: its processes' output, the router's access lines and platform events",
    description:
      'Plain text, one Heroku-format line each; with `Accept: text/event-stream`, server-sent events whose ids resume a tail ' +
      '(`Last-Event-ID` or `after`) without losing or repeating a line.',
    query: logsQuery,
    raw: { contentType: 'text/event-stream' },
    handler: async ({ app, query, req, res }) => {
      const logs = logsOf(ctx);
      const lastEventId = String(req.headers['last-event-id'] ?? '');
      const after = isStreamId(lastEventId) ? lastEventId : query.after;
      await streamAppLog(logs, req, res, { app: app.name, lines: query.lines, tail: query.tail, filter: { source: query.source, process: query.ps }, after });
    },
  });

  table.add({
    method: 'get',
    path: '/apps/:app/log-drains',
    action: 'app:read',
    tag: 'logs',
    summary: "The app's log drains, with how many lines each delivered and dropped",
    response: z.array(logDrainSchema),
    handler: async ({ app }) => {
      const logs = logsOf(ctx);
      const drains = await listLogDrains(ctx.pool, app.id);
      return Promise.all(drains.map(async (d) => drainJson(d, await logs.drainState.get(d.id))));
    },
  });

  table.add({
    method: 'post',
    path: '/apps/:app/log-drains',
    action: 'app:logs',
    tag: 'logs',
    summary: 'Add a log drain: https://…, syslog+tls://host:port or syslog://host:port',
    body: drainBody,
    example: { url: 'syslog+tls://logs.example.com:6514' },
    status: 201,
    response: logDrainSchema,
    handler: async ({ app, body, req }) => {
      const logs = logsOf(ctx);
      parseDrainUrl(body.url);
      // Every address the host resolves to now is checked; a name that does not resolve yet is kept,
      // and checked again (at connect time) by every delivery.
      await logs.egress.checkUrl(body.url, drainEgressUse, { unresolved: 'allow' });
      if ((await countLogDrains(ctx.pool, app.id)) >= maxDrainsPerApp) {
        throw new AppError('limit_exceeded', `${app.name} has ${maxDrainsPerApp} drains already, the most an app may have`, { details: { limit: 'drains', max: maxDrainsPerApp } });
      }
      let drain: LogDrainRow;
      try {
        // the audit event commits with the drain, or neither does
        drain = await inTransaction(ctx.pool, async (tx) => {
          const row = await insertLogDrain(tx, app.id, body.url, `d.${randomUUID()}`);
          await ctx.access.audit.record({ ...requester(req), action: 'drain.add', app: app.name, details: { url: displayDrainUrl(body.url) } }, tx);
          return row;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('invalid_params', `url: ${app.name} drains to ${displayDrainUrl(body.url)} already`);
        throw err;
      }
      // It delivers what is written from now on, even before a worker picks it up.
      await logs.drainState.initialize(drain.id, await logs.store.info(app.name));
      logs.drains.poke();
      return drainJson(drain, await logs.drainState.get(drain.id));
    },
  });

  table.add({
    method: 'delete',
    path: '/apps/:app/log-drains/:drain',
    action: 'app:logs',
    tag: 'logs',
    summary: 'Remove a log drain, by id, token or URL',
    params: { drain: 'The drain id, token or URL (URL-encoded)' },
    response: logDrainSchema,
    handler: async ({ app, params, req }) => {
      const logs = logsOf(ctx);
      const key = params['drain'] ?? '';
      const drain = await findLogDrain(ctx.pool, app.id, key);
      if (!drain) throw new AppError('drain_not_found', `${app.name} has no drain ${displayDrainUrl(key)}`);
      const state = await logs.drainState.get(drain.id);
      await inTransaction(ctx.pool, async (tx) => {
        await deleteLogDrain(tx, drain.id);
        await ctx.access.audit.record({ ...requester(req), action: 'drain.remove', app: app.name, details: { url: displayDrainUrl(drain.url) } }, tx);
      });
      logs.drains.poke();
      await logs.drainState.remove(drain.id);
      return drainJson(drain, state);
    },
  });
}

import { performance } from 'node:perf_hooks';
import type { Logger } from '@paas/shared';
import type { RequestContext } from './request-context.js';

export interface AccessLogEntry {
  method: string | undefined;
  path: string | undefined;
  status: number;
  /** False when the connection closed before the response was complete. */
  completed: boolean;
}

/** One debug line per request (the Heroku-format router log comes later). */
export function logAccess(logger: Logger, ctx: RequestContext, entry: AccessLogEntry): void {
  logger.debug(
    {
      request_id: ctx.requestId,
      method: entry.method,
      host: ctx.host,
      path: entry.path,
      status: entry.status,
      completed: entry.completed,
      app: ctx.app,
      process: ctx.backend?.process,
      backend: ctx.backend && `${ctx.backend.host}:${ctx.backend.port}`,
      attempts: ctx.attempts,
      error: ctx.error,
      ms: Math.round((performance.now() - ctx.startedAt) * 10) / 10,
    },
    'request',
  );
}

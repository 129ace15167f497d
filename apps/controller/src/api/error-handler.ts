import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, herokuErrorId, type Logger } from '@paas/shared';
import { wantsHeroku } from './heroku/accept.js';
import { fromLibraryError } from './library-errors.js';
import { drainRequestBody } from './drain-body.js';

/** The request's id: the Request-Id header the first middleware set (a client's safe X-Request-Id, or a fresh one). */
export function requestIdOf(res: { getHeader(name: string): unknown }): string | undefined {
  const id = res.getHeader('Request-Id');
  return typeof id === 'string' ? id : undefined;
}

/**
 * The one place errors become HTTP responses: `{ id, message }` with the code's status. Library
 * errors that carry a 4xx status keep it (library-errors.ts); anything else is a bug: a 500 logged
 * with the request id, which the answer carries too (header `Request-Id` and `request_id`). A body
 * not read yet (a 413 decided from Content-Length) is drained, within bounds, after the answer is
 * written and before it ends, so the answer is not lost to a reset connection.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const requestId = requestIdOf(res);
    let appErr = err instanceof AppError ? err : fromLibraryError(err);
    if (!appErr) {
      log.error({ err, method: req.method, path: req.path, requestId }, 'request failed');
      appErr = new AppError('internal', `internal error; the platform log has the details (request ${requestId ?? 'unknown'})`);
    } else if (appErr.code === 'internal') {
      log.error({ err, method: req.method, path: req.path, requestId }, 'request failed');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    // A retryable 503 (the database or an engine is away for a moment): when to try again.
    if (appErr.retryable && appErr.status === 503) res.setHeader('Retry-After', '2');
    let body: Record<string, unknown> = appErr.status >= 500 && requestId ? { ...appErr.toJSON(), request_id: requestId } : appErr.toJSON();
    // Heroku's clients are told Heroku's error id, paas's own code kept beside it (errors.ts, herokuErrorIds).
    if (wantsHeroku(req) && herokuErrorId(appErr.code) !== appErr.code) body = { ...body, id: herokuErrorId(appErr.code), paas_id: appErr.code };
    res.status(appErr.status);
    if (req.complete) {
      res.json(body);
      return;
    }
    // The body has not been read (a 413 decided from Content-Length, a 401 before a route read it):
    // the whole answer goes out at once, then the rest of the body is read and thrown away before the
    // answer ends, so that closing the connection cannot reset it under a client still sending (which
    // loses the answer: EPIPE, no status). A body past the drain's bounds: the connection is closed.
    const text = JSON.stringify(body);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.write(text);
    void drainRequestBody(req).then((drained) => {
      if (!drained) res.once('finish', () => req.socket?.destroy());
      res.end();
    });
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `no such route: ${req.method} ${req.path}`));
};

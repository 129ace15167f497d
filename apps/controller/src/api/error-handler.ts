import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, type Logger } from '@paas/shared';

/** The one place errors become HTTP responses: `{ id, message }` with the code's status. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let appErr: AppError;
    if (err instanceof AppError) appErr = err;
    else if ((err as { type?: string }).type === 'entity.parse.failed') appErr = new AppError('invalid_params', 'request body is not valid JSON');
    else if ((err as { type?: string }).type === 'entity.too.large') appErr = new AppError('payload_too_large', 'request body is too large (at most 1 MB)');
    else {
      log.error({ err, method: req.method, path: req.path }, 'request failed');
      appErr = new AppError('internal', 'internal error; the platform log has the details');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(appErr.status).json(appErr.toJSON());
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `no such route: ${req.method} ${req.path}`));
};

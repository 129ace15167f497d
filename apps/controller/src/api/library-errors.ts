import { AppError, type ErrorCode } from '@paas/shared';

/**
 * The one table of errors that libraries (body-parser, raw-body, the router's path decoding) throw
 * with an HTTP status: each becomes a stable code and a message for the user. An error with a 4xx
 * status not listed here keeps its status's code (`statusCodes`); PostgreSQL gone away is 503
 * database_unavailable (a connection that cannot be made is one already, db/database-pool.ts); only
 * other errors without a 4xx status are 500s, i.e. bugs.
 */
const byType: Record<string, { code: ErrorCode; message: string }> = {
  'entity.parse.failed': { code: 'invalid_params', message: 'request body is not valid JSON' },
  'entity.too.large': { code: 'payload_too_large', message: 'request body is too large (at most 1 MB)' },
  'entity.verify.failed': { code: 'invalid_body', message: 'request body was refused' },
  'encoding.unsupported': { code: 'unsupported_media_type', message: 'unsupported Content-Encoding: use gzip, deflate, br or none' },
  'charset.unsupported': { code: 'unsupported_media_type', message: 'unsupported charset: request bodies are JSON in UTF-8' },
  'request.aborted': { code: 'invalid_body', message: 'request body ended early (the client aborted)' },
  'request.size.invalid': { code: 'invalid_body', message: 'request body length does not match its Content-Length' },
  'parameters.too.many': { code: 'invalid_params', message: 'too many parameters' },
};

/** A library error's 4xx status without a known type: the code for its status. */
const statusCodes: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'invalid_params',
  429: 'rate_limited',
};

/**
 * PostgreSQL's answers while it shuts down, starts up or refuses sessions (SQLSTATE classes 08
 * connection exception, 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 53300
 * too many connections), and node-postgres's own errors for a connection that broke or never came.
 */
const databaseGoneStates = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
const databaseGoneMessages = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Connection terminated due to connection timeout|Query read timeout)/;

/** The answer while PostgreSQL does not answer: 503, retryable. */
export function databaseUnavailable(cause: unknown): AppError {
  if (cause instanceof AppError) return cause;
  return new AppError('database_unavailable', 'the database is unavailable; try again in a few seconds', { retryable: true, cause });
}

/** An error node-postgres gives when the server went away, is starting or stopping, or cannot be reached. */
export function isDatabaseGone(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; severity?: unknown; message?: unknown };
  // A server's error (it carries a severity) with a connection-level SQLSTATE.
  if (typeof e.severity === 'string' && typeof e.code === 'string' && databaseGoneStates.test(e.code)) return true;
  return err instanceof Error && databaseGoneMessages.test(err.message);
}

/** The AppError a library error stands for, or undefined when it carries no 4xx status (a bug). */
export function fromLibraryError(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  if (isDatabaseGone(err)) return databaseUnavailable(err);
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown; code?: unknown; message?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status === undefined || status < 400 || status > 499) return undefined;
  const known = typeof e.type === 'string' ? byType[e.type] : undefined;
  if (known) return new AppError(known.code, known.message, { cause: err });
  // The router's path decoding: a URIError it gave status 400.
  if (err instanceof URIError) return new AppError('invalid_path', 'the path is not valid percent-encoded UTF-8', { cause: err });
  // zlib's errors while inflating a gzip or deflate body (Z_DATA_ERROR, Z_BUF_ERROR, ...) or a br
  // one (ERR__ERROR_FORMAT_PADDING_2, ...).
  if (typeof e.code === 'string' && /^(Z_|ERR__)/.test(e.code)) {
    return new AppError('invalid_body', 'request body could not be decoded with its Content-Encoding', { cause: err });
  }
  const code = statusCodes[status] ?? 'bad_request';
  return new AppError(code, typeof e.message === 'string' && e.message ? e.message : 'bad request', { cause: err });
}

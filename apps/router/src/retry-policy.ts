/** Errors that mean the connection to the backend was never made: the request did not reach it. */
const neverConnected = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'PAAS_CONNECT_TIMEOUT']);
/** Errors of a connection that broke: the request may or may not have reached the app. */
const broken = new Set(['ECONNRESET', 'EPIPE']);
const idempotent = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export interface AttemptState {
  method: string | undefined;
  /** Whether any byte of the client's body was passed on: such a request cannot be replayed. */
  bodyTaken: boolean;
  /** Whether the attempt went over a pooled keep-alive connection (which the backend may have closed). */
  reusedSocket: boolean;
}

/** Whether the error is a failure to connect (which counts towards ejecting the backend). */
export function isConnectFailure(err: Error): boolean {
  return neverConnected.has((err as NodeJS.ErrnoException).code ?? '');
}

/** The error a connection attempt that took too long fails with. */
export function connectTimeoutError(ms: number): Error {
  return Object.assign(new Error(`connecting to the backend took more than ${ms} ms`), { code: 'PAAS_CONNECT_TIMEOUT' });
}

/**
 * Whether a failed attempt may be retried. A connection that was never made never reached the app. A
 * reset one may have: it is retried only when nothing of the body was sent and replaying is harmless,
 * i.e. the method is idempotent or the connection was a pooled one the backend had already closed.
 */
export function mayRetry(err: Error, attempt: AttemptState): boolean {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (attempt.bodyTaken) return false;
  if (neverConnected.has(code)) return true;
  if (!broken.has(code)) return false;
  return attempt.reusedSocket || idempotent.has(attempt.method ?? '');
}

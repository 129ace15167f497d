/** Errors that mean the backend never got the request: worth one more try on another backend. */
const connectErrors = new Set(['ECONNREFUSED', 'ECONNRESET']);
const idempotent = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export interface AttemptState {
  method: string | undefined;
  /** Whether any byte of the client's body was passed on: such a request cannot be replayed. */
  bodyTaken: boolean;
  /** Whether the attempt went over a pooled keep-alive connection (which the backend may have closed). */
  reusedSocket: boolean;
}

/**
 * Whether a failed attempt may be retried. A refused connection never reached the app. A reset one
 * may have: it is retried only when nothing of the body was sent and replaying is harmless, i.e. the
 * method is idempotent or the connection was a pooled one the backend had already closed.
 */
export function mayRetry(err: Error, attempt: AttemptState): boolean {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (!connectErrors.has(code) || attempt.bodyTaken) return false;
  if (code === 'ECONNREFUSED') return true;
  return attempt.reusedSocket || idempotent.has(attempt.method ?? '');
}

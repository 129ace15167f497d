import { AppError } from '@paas/shared';
import type { CallOptions } from './runtime-backend.js';

/**
 * The signal a runtime call runs under: the caller's, bounded by the backend's own deadline
 * (`defaultMs`), so an engine that never answers cannot hang a caller that gave none.
 */
export function callSignal(opts: CallOptions | undefined, defaultMs: number): AbortSignal {
  const own = AbortSignal.timeout(defaultMs);
  return opts?.signal ? AbortSignal.any([opts.signal, own]) : own;
}

export function engineTimeout(what: string, cause?: unknown): AppError {
  return new AppError('engine_timeout', `${what}: the container engine did not answer in time`, { retryable: true, cause });
}

/**
 * Runs one engine call under `signal`: the call gets the signal (Docker's client aborts its request),
 * and the answer is not waited for past the abort even when the call ignores it. An abort becomes
 * `engine_timeout`.
 */
export async function engineCall<T>(signal: AbortSignal, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (signal.aborted) throw engineTimeout(what, signal.reason);
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(engineTimeout(what, signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([fn(signal), aborted]);
  } catch (err) {
    if (signal.aborted && !(err instanceof AppError)) throw engineTimeout(what, err);
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

export function processNotFound(id: string): AppError {
  return new AppError('process_not_found', `no process ${JSON.stringify(id.slice(0, 80))} in this runtime`);
}

import { sleep as defaultSleep } from '@paas/shared';

/**
 * Whether an engine error is worth another try: the engine's removal race ("unable to remove
 * filesystem … directory not empty", "removal … already in progress"), a 5xx from the engine, a
 * timeout or a dropped connection. A 4xx (not found, conflict, bad request) is an answer, not a fault.
 */
export function isTransientEngineError(err: unknown): boolean {
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const message = typeof e.message === 'string' ? e.message : '';
  if (/unable to remove filesystem|directory not empty|removal of container .* is already in progress|device or resource busy/i.test(message)) return true;
  if (typeof e.statusCode === 'number') return e.statusCode >= 500;
  if (typeof e.code === 'string' && /^(ETIMEDOUT|ESOCKETTIMEDOUT|ECONNRESET|ECONNREFUSED|EPIPE|EAI_AGAIN|UND_ERR_SOCKET|UND_ERR_CONNECT_TIMEOUT)$/.test(e.code)) {
    return true;
  }
  return /timed? ?out|socket hang up/i.test(message);
}

export interface RetryOptions {
  /** Tries in all (default 6). */
  attempts?: number;
  /** The first wait; each next one doubles, up to maxDelayMs (defaults 100 and 2000 ms). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  isTransient?: (err: unknown) => boolean;
  sleep?: (ms: number) => Promise<void>;
  /** Told before each wait (for a log line). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `fn`, trying again with exponential backoff while it fails with a transient error. */
export async function retryTransient<T>(fn: () => Promise<T>, o: RetryOptions = {}): Promise<T> {
  const attempts = o.attempts ?? 6;
  const isTransient = o.isTransient ?? isTransientEngineError;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isTransient(err)) throw err;
      const delay = Math.min((o.baseDelayMs ?? 100) * 2 ** (attempt - 1), o.maxDelayMs ?? 2000);
      o.onRetry?.(err, attempt, delay);
      await (o.sleep ?? defaultSleep)(delay);
    }
  }
}

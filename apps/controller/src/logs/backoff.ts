/** Exponential backoff with full jitter: delay n (1-based) is random in [base·2^(n−1)/2, base·2^(n−1)], capped at max. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** In [0, 1); Math.random by default. */
  random?: () => number;
}

export function backoffDelay(attempt: number, o: BackoffOptions): number {
  const n = Math.max(1, Math.floor(attempt));
  const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(n - 1, 30));
  const r = (o.random ?? Math.random)();
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}

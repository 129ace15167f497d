import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '@paas/shared';

/**
 * The API's request budget, as Heroku's (`RateLimit-Remaining` on every answer): each caller (a
 * token, or the client address without one) has `perHour` requests, refilled evenly over the hour;
 * past it, 429 `rate_limited` with Retry-After. Kept in this controller's memory, for at most
 * `maxCallers` callers (the least recently seen forgotten first: a forgotten caller starts full).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly perHour: number,
    private readonly maxCallers = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request from `caller`'s budget: what remains, or -1 when there was none left. */
  take(caller: string): number {
    const t = this.now();
    const refill = this.perHour / 3_600_000;
    const old = this.buckets.get(caller);
    let tokens = old ? Math.min(this.perHour, old.tokens + (t - old.at) * refill) : this.perHour;
    this.buckets.delete(caller);
    if (tokens < 1) {
      this.buckets.set(caller, { tokens, at: t });
      return -1;
    }
    tokens -= 1;
    this.buckets.set(caller, { tokens, at: t });
    if (this.buckets.size > this.maxCallers) this.buckets.delete(this.buckets.keys().next().value!);
    return Math.floor(tokens);
  }

  /** Seconds until `caller` has one request again. */
  retryAfter(caller: string): number {
    const b = this.buckets.get(caller);
    const missing = b ? 1 - b.tokens : 0;
    return Math.max(1, Math.ceil(missing / (this.perHour / 3600)));
  }
}

/** The middleware: `RateLimit-Remaining` on every answer, 429 when the caller's budget is spent. */
export function rateLimit(limiter: RateLimiter): RequestHandler {
  return (req, res, next) => {
    const auth = req.headers.authorization;
    const caller = auth ? `t:${createHash('sha256').update(auth).digest('base64url')}` : `a:${req.socket.remoteAddress ?? ''}`;
    const remaining = limiter.take(caller);
    res.setHeader('RateLimit-Remaining', String(Math.max(0, remaining)));
    if (remaining >= 0) return next();
    res.setHeader('Retry-After', String(limiter.retryAfter(caller)));
    next(new AppError('rate_limited', `this token has used its ${limiter.perHour} requests an hour; try again shortly`, { retryable: true }));
  };
}

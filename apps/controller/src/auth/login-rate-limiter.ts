import { createHash } from 'node:crypto';
import type { Queryable } from '../db/queryable.js';

export interface RateLimitVerdict {
  allowed: boolean;
  /** Seconds until the window that refused the attempt ends (0 when allowed). */
  retryAfterSeconds: number;
}

/**
 * Login attempts per email and per client IP, in fixed one-minute windows kept in PostgreSQL, so the
 * limit holds across controllers. Every attempt counts (before the password is checked: the bcrypt
 * cost is part of what is protected).
 */
export class LoginRateLimiter {
  constructor(
    private readonly db: Queryable,
    private readonly perMinute: number,
    private readonly windowSeconds = 60,
  ) {}

  async hit(email: string, ip: string | undefined): Promise<RateLimitVerdict> {
    const keys = [`email:${digest(email.toLowerCase())}`];
    if (ip) keys.push(`ip:${ip}`);
    const { rows } = await this.db.query<{ attempts: number; retry_after: string }>(
      `INSERT INTO login_attempts (key, window_start, attempts)
       SELECT k, now(), 1 FROM unnest($1::text[]) AS k
       ON CONFLICT (key) DO UPDATE SET
         attempts = CASE WHEN login_attempts.window_start <= now() - make_interval(secs => $2) THEN 1 ELSE login_attempts.attempts + 1 END,
         window_start = CASE WHEN login_attempts.window_start <= now() - make_interval(secs => $2) THEN now() ELSE login_attempts.window_start END
       RETURNING attempts, extract(epoch FROM window_start + make_interval(secs => $2) - now()) AS retry_after`,
      [keys, this.windowSeconds],
    );
    if (Math.random() < 0.01) {
      await this.db.query("DELETE FROM login_attempts WHERE window_start < now() - interval '1 hour'");
    }
    const over = rows.filter((r) => r.attempts > this.perMinute);
    if (over.length === 0) return { allowed: true, retryAfterSeconds: 0 };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...over.map((r) => Number(r.retry_after))))) };
  }
}

/** Emails are kept as digests: the table holds whatever strangers typed. */
function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 32);
}

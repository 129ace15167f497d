import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { RedisKeys } from '@paas/shared';

/** What a log session streams: the app (by id, so a session cannot outlive its app into a namesake) and the filter. */
export const logSessionGrant = z.object({
  app_id: z.string().uuid(),
  user_id: z.string().uuid(),
  lines: z.number().int(),
  tail: z.boolean(),
  sources: z.array(z.enum(['app', 'router', 'platform'])).optional(),
  ps: z.string().optional(),
});
export type LogSessionGrant = z.infer<typeof logSessionGrant>;

/**
 * Heroku's log sessions: `POST /apps/{app}/log-sessions` answers a `logplex_url` that carries its own
 * authorisation, a 256-bit random token (not the API token), so a client can stream the log with
 * a plain GET. Only the token's SHA-256 is kept in Redis, with the grant; the first GET takes it
 * (GETDEL: a second use, or one after `ttlSeconds`, finds nothing).
 */
export class LogSessions {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    readonly ttlSeconds = 300,
  ) {}

  async create(grant: LogSessionGrant): Promise<{ id: string; token: string }> {
    const token = randomBytes(32).toString('base64url');
    await this.redis.set(this.keys.logSession(hashOf(token)), JSON.stringify(grant), 'EX', this.ttlSeconds);
    return { id: randomUUID(), token };
  }

  /** The grant of `token`, taken: never given twice. */
  async take(token: string): Promise<LogSessionGrant | undefined> {
    if (!isLogSessionToken(token)) return undefined;
    const raw = await this.redis.getdel(this.keys.logSession(hashOf(token)));
    if (raw === null) return undefined;
    const parsed = logSessionGrant.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }
}

export function isLogSessionToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

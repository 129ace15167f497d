import { createHash, createSecretKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '@paas/shared';
import type { Queryable } from '../db/queryable.js';
import {
  findUserByTokenHash,
  findUserOfSession,
  findUserOfSessionWithApp,
  insertApiToken,
  revokeAllSessions,
  revokeSession,
  type ApiTokenRow,
  type User,
} from '../db/users.js';
import { findAppForUser, type AppRelation, type AppRow } from '../db/apps.js';

const apiTokenPrefix = 'paas_';
/** Session tokens kept verified: enough for every active session of a busy platform. */
const verifiedCacheSize = 10_000;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What `logout` revoked: this session, every session of the user (a token from before session ids), or nothing (an API token). */
export type Revoked = 'session' | 'all_sessions' | 'none';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Two kinds of bearer token: session JWTs (signed with the platform secret, expiring) from `paas login`,
 * and long-lived API tokens (`paas_…`) stored only as SHA-256 hashes. Both are checked against the
 * database on every request: a deleted API token, a disabled user, a bumped `token_version` (which
 * sessions carry as `ver`) or a revoked session (its `jti`, by `paas logout`) stop working on the next
 * request. The user and the session's revocation are read in one query.
 */
export class TokenService {
  /** A KeyObject: given a string, jsonwebtoken first tries (and fails) to parse it as a PEM key on every call. */
  private readonly key: KeyObject;
  /** Session tokens whose signature was checked, with their claims (oldest first, at most verifiedCacheSize). */
  private readonly verified = new Map<string, jwt.JwtPayload>();

  constructor(
    private readonly db: Queryable,
    secret: string,
    private readonly sessionTtl: string,
  ) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  issueSession(user: Pick<User, 'id' | 'role' | 'token_version'>): string {
    return jwt.sign({ sub: user.id, role: user.role, ver: user.token_version }, this.key, {
      algorithm: 'HS256',
      jwtid: randomUUID(),
      expiresIn: this.sessionTtl as jwt.SignOptions['expiresIn'],
      issuer: 'paas',
    });
  }

  /** A new API token and its record; the token itself is shown once and only its hash is kept. */
  /** A new API token; given a transaction (`db`), it exists only once that commits. */
  async issueApiToken(userId: string, description: string, db: Queryable = this.db): Promise<{ token: string; authorization: ApiTokenRow }> {
    const token = apiTokenPrefix + randomBytes(32).toString('base64url');
    const authorization = await insertApiToken(db, userId, hashToken(token), description);
    return { token, authorization };
  }

  async createApiToken(userId: string, description: string): Promise<string> {
    return (await this.issueApiToken(userId, description)).token;
  }

  private verify(token: string): jwt.JwtPayload {
    // A token's signature and claims never change: one checked before is taken from the cache, as
    // long as it has not expired since (revocation is checked against the database either way).
    const known = this.verified.get(token);
    if (known) {
      if (typeof known.exp !== 'number' || known.exp * 1000 > Date.now()) return known;
      this.verified.delete(token);
    }
    try {
      const claims = jwt.verify(token, this.key, { algorithms: ['HS256'], issuer: 'paas' }) as jwt.JwtPayload;
      if (this.verified.size >= verifiedCacheSize) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, claims);
      return claims;
    } catch (err) {
      const expired = err instanceof jwt.TokenExpiredError;
      throw new AppError('unauthorized', expired ? 'session expired: run paas login' : 'invalid token');
    }
  }

  /** The user a token belongs to; throws `unauthorized` for anything else. */
  async authenticate(token: string): Promise<User> {
    return (await this.authenticateWithApp(token, undefined)).user;
  }

  /**
   * The user a token belongs to and, when `appName` is given, that app with the user's relation to
   * it (undefined: no such app). For a session, both come from one query.
   */
  async authenticateWithApp(
    token: string,
    appName: string | undefined,
  ): Promise<{ user: User; app: (AppRow & { relation: AppRelation }) | undefined }> {
    if (token.startsWith(apiTokenPrefix)) {
      const user = await findUserByTokenHash(this.db, hashToken(token));
      if (!user) throw new AppError('unauthorized', 'invalid or revoked API token');
      return { user, app: appName === undefined ? undefined : await findAppForUser(this.db, appName, user.id) };
    }
    const claims = this.verify(token);
    const jti = typeof claims.jti === 'string' && uuid.test(claims.jti) ? claims.jti : null;
    const sub = typeof claims.sub === 'string' && uuid.test(claims.sub) ? claims.sub : undefined;
    if (sub === undefined) throw new AppError('unauthorized', 'invalid token');
    const found =
      appName === undefined
        ? await findUserOfSession(this.db, sub, jti).then((user) => user && { user, app: undefined })
        : await findUserOfSessionWithApp(this.db, sub, jti, appName);
    if (!found) throw new AppError('unauthorized', 'invalid token');
    const { revoked, ...user } = found.user;
    if (user.disabled_at) throw new AppError('unauthorized', 'this account is disabled');
    if (revoked || (claims['ver'] ?? 0) !== user.token_version) throw new AppError('unauthorized', 'session revoked: run paas login');
    return { user, app: found.app };
  }

  /**
   * `paas logout`: revokes the session `token` (already authenticated as `user`) so it fails on the
   * next request. A session from before session ids revokes all of the user's sessions; an API token
   * is left alone (`authorizations:revoke` is for those).
   */
  async revoke(token: string, user: User): Promise<Revoked> {
    if (token.startsWith(apiTokenPrefix)) return 'none';
    const claims = this.verify(token);
    if (typeof claims.jti === 'string' && uuid.test(claims.jti) && typeof claims.exp === 'number') {
      await revokeSession(this.db, claims.jti, user.id, new Date(claims.exp * 1000));
      return 'session';
    }
    await revokeAllSessions(this.db, user.id);
    return 'all_sessions';
  }
}

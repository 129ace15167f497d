import { createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '@paas/shared';
import type { Queryable } from '../db/queryable.js';
import { findUserById, findUserByTokenHash, insertApiToken, type ApiTokenRow, type User } from '../db/users.js';

const apiTokenPrefix = 'paas_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Two kinds of bearer token: session JWTs (signed with the platform secret, expiring) from `paas login`,
 * and long-lived API tokens (`paas_…`) stored only as SHA-256 hashes. Both are checked against the
 * database on every request: a deleted API token, a disabled user or a bumped `token_version` (which
 * sessions carry as `ver`) stop working on the next request.
 */
export class TokenService {
  /** A KeyObject: given a string, jsonwebtoken first tries (and fails) to parse it as a PEM key on every call. */
  private readonly key: KeyObject;

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
      expiresIn: this.sessionTtl as jwt.SignOptions['expiresIn'],
      issuer: 'paas',
    });
  }

  /** A new API token and its record; the token itself is shown once and only its hash is kept. */
  async issueApiToken(userId: string, description: string): Promise<{ token: string; authorization: ApiTokenRow }> {
    const token = apiTokenPrefix + randomBytes(32).toString('base64url');
    const authorization = await insertApiToken(this.db, userId, hashToken(token), description);
    return { token, authorization };
  }

  async createApiToken(userId: string, description: string): Promise<string> {
    return (await this.issueApiToken(userId, description)).token;
  }

  /** The user a token belongs to; throws `unauthorized` for anything else. */
  async authenticate(token: string): Promise<User> {
    if (token.startsWith(apiTokenPrefix)) {
      const user = await findUserByTokenHash(this.db, hashToken(token));
      if (!user) throw new AppError('unauthorized', 'invalid or revoked API token');
      return user;
    }
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(token, this.key, { algorithms: ['HS256'], issuer: 'paas' }) as jwt.JwtPayload;
    } catch (err) {
      const expired = err instanceof jwt.TokenExpiredError;
      throw new AppError('unauthorized', expired ? 'session expired: run paas login' : 'invalid token');
    }
    const user = typeof claims.sub === 'string' && /^[0-9a-f-]{36}$/.test(claims.sub) ? await findUserById(this.db, claims.sub) : undefined;
    if (!user) throw new AppError('unauthorized', 'invalid token');
    if (user.disabled_at) throw new AppError('unauthorized', 'this account is disabled');
    if ((claims['ver'] ?? 0) !== user.token_version) throw new AppError('unauthorized', 'session revoked: run paas login');
    return user;
  }
}

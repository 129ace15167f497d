import { createHash, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '@paas/shared';
import type { Queryable } from '../db/queryable.js';
import { findUserById, findUserByTokenHash, insertApiToken, type User } from '../db/users.js';

const apiTokenPrefix = 'paas_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Two kinds of bearer token: session JWTs (signed with the platform secret, expiring) from `paas login`,
 * and long-lived API tokens (`paas_…`) stored only as SHA-256 hashes.
 */
export class TokenService {
  constructor(
    private readonly db: Queryable,
    private readonly secret: string,
    private readonly sessionTtl: string,
  ) {}

  issueSession(user: User): string {
    return jwt.sign({ sub: user.id, role: user.role }, this.secret, {
      algorithm: 'HS256',
      expiresIn: this.sessionTtl as jwt.SignOptions['expiresIn'],
      issuer: 'paas',
    });
  }

  async createApiToken(userId: string, description: string): Promise<string> {
    const token = apiTokenPrefix + randomBytes(32).toString('base64url');
    await insertApiToken(this.db, userId, hashToken(token), description);
    return token;
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
      claims = jwt.verify(token, this.secret, { algorithms: ['HS256'], issuer: 'paas' }) as jwt.JwtPayload;
    } catch (err) {
      const expired = err instanceof jwt.TokenExpiredError;
      throw new AppError('unauthorized', expired ? 'session expired: run paas login' : 'invalid token');
    }
    const user = typeof claims.sub === 'string' ? await findUserById(this.db, claims.sub) : undefined;
    if (!user) throw new AppError('unauthorized', 'invalid token');
    return user;
  }
}

import type { Request, RequestHandler } from 'express';
import { AppError } from '@paas/shared';
import type { TokenService } from '../auth/token-service.js';
import { findAppByName, type AppRow } from '../db/apps.js';
import type { Queryable } from '../db/queryable.js';
import type { User } from '../db/users.js';

declare module 'express-serve-static-core' {
  interface Request {
    user?: User;
  }
}

/** The bearer token, or the password of HTTP basic auth (what git sends). */
export function tokenFrom(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return undefined;
  if (/^bearer$/i.test(scheme ?? '')) return value.trim();
  if (/^basic$/i.test(scheme ?? '')) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return i >= 0 ? decoded.slice(i + 1) : undefined;
  }
  return undefined;
}

export function requireUser(tokens: TokenService): RequestHandler {
  return (req, _res, next) => {
    const token = tokenFrom(req.headers.authorization);
    if (!token) return next(new AppError('unauthorized', 'authentication required: run paas login'));
    tokens.authenticate(token).then(
      (user) => {
        req.user = user;
        next();
      },
      (err: unknown) => next(err),
    );
  };
}

export function currentUser(req: Request): User {
  if (!req.user) throw new AppError('unauthorized', 'authentication required');
  return req.user;
}

export function canAccess(user: User, app: AppRow): boolean {
  return user.role === 'admin' || app.owner_id === user.id;
}

/** The app named in the path, if the user may see it; otherwise 404 (never revealing that it exists). */
export async function loadApp(db: Queryable, user: User, name: string): Promise<AppRow> {
  const app = await findAppByName(db, name);
  if (!app || !canAccess(user, app)) throw new AppError('app_not_found', `Couldn't find that app: ${name}`);
  return app;
}

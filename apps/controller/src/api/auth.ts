import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { AppError } from '@paas/shared';
import type { TokenService } from '../auth/token-service.js';
import { decide, subjectOf, type Action } from '../auth/policy.js';
import { findAppForUser, type AppRelation, type AppRow } from '../db/apps.js';
import type { Queryable } from '../db/queryable.js';
import type { User } from '../db/users.js';

declare module 'express-serve-static-core' {
  interface Request {
    user?: User;
  }
}

// RFC 7235's token68 (what a bearer token may be made of) and strict base64.
const bearer = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;
const basic = /^Basic ((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$/i;

/** Why an Authorization header was refused: the same id and message everywhere it is read. */
export function malformedAuthorization(): AppError {
  return new AppError('invalid_authorization', "the Authorization header must be exactly 'Bearer <token>' (or git's Basic form)");
}

/**
 * The token of an `Authorization` header, read strictly: exactly `Bearer <token>`, or HTTP basic
 * auth with the token as its password (what git sends). No header: undefined. Anything else (extra
 * words, other schemes, broken base64, no password) throws `invalid_authorization` (401).
 */
export function tokenFrom(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const b = bearer.exec(header);
  if (b) return b[1]!;
  const m = basic.exec(header);
  if (m && m[1]) {
    const decoded = Buffer.from(m[1], 'base64');
    const text = decoded.toString('utf8');
    const i = text.indexOf(':');
    // Valid UTF-8 only (a replacement character means it was not), and a password.
    if (Buffer.from(text, 'utf8').equals(decoded) && i >= 0 && i < text.length - 1 && !/[\x00-\x1f\x7f]/.test(text)) return text.slice(i + 1);
  }
  throw malformedAuthorization();
}

/** Authenticates the request (once: a user set by an earlier middleware is kept). */
export function requireUser(tokens: TokenService): RequestHandler {
  return (req, _res, next) => {
    if (req.user) return next();
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

/** The client's address, for the audit log and the login rate limit. */
export function clientIp(req: IncomingMessage): string | undefined {
  const ip = req.socket.remoteAddress;
  return ip?.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/**
 * The app named in the path, if the policy lets the user do `action` to it. A user who may not even
 * read it gets 404 (never learning that it exists); one who may read it but not do this, 403.
 */
export async function loadApp(db: Queryable, user: User, name: string, action: Action = 'app:read'): Promise<AppRow> {
  return appAllowed(user, await findAppForUser(db, name, user.id), name, action);
}

/** loadApp's decision about an app already read with the user's relation to it (or not found). */
export function appAllowed(user: User, found: (AppRow & { relation: AppRelation }) | undefined, name: string, action: Action): AppRow {
  const decision = found ? decide(subjectOf(user, found.relation), action) : 'hidden';
  if (decision === 'hidden' || !found) throw new AppError('app_not_found', `Couldn't find that app: ${name}`);
  if (decision !== 'allow') throw new AppError('forbidden', `only the owner of ${name} or an admin may do this`);
  const { relation: _relation, ...app } = found;
  return app;
}

/** Refuses an action that is not about one app (e.g. `admin`) unless the policy allows it. */
export function authorize(user: User | undefined, action: Action): void {
  const decision = decide(subjectOf(user), action);
  if (decision === 'allow') return;
  if (decision === 'unauthenticated') throw new AppError('unauthorized', 'authentication required: run paas login');
  throw new AppError('forbidden', action === 'admin' ? 'this needs the admin role' : 'you may not do this');
}

/** Who made the request and from where, for the audit log. */
export function requester(req: Request): { actor: { id: string; email: string } | null; ip: string | undefined } {
  return { actor: req.user ? { id: req.user.id, email: req.user.email } : null, ip: clientIp(req) };
}

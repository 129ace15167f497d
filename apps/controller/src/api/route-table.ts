import { timingSafeEqual } from 'node:crypto';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { AppError } from '@paas/shared';
import { isAppAction, type Action } from '../auth/policy.js';
import type { TokenService } from '../auth/token-service.js';
import type { AppRow } from '../db/apps.js';
import type { Queryable } from '../db/queryable.js';
import type { User } from '../db/users.js';
import { appAllowed, authorize, currentUser, loadApp, requireUser, tokenFrom } from './auth.js';
import { jsonBody } from './json-body.js';
import { validate } from './validate.js';
import { nextRange, parseRange, rangeOf, type RangeRequest } from './heroku/range.js';
import { nextCursorHeader } from './pagination.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What a handler gets: the signed-in user, the app of the path (for `app:*` actions), the parsed body and query. */
export interface RouteCall<B, Q> {
  req: Request;
  res: Response;
  readonly user: User;
  readonly app: AppRow;
  /** The path's parameters. */
  params: Record<string, string>;
  body: B;
  query: Q;
}

/**
 * One API route, declared once: the express handler, its place in the access policy (`action`), and
 * its OpenAPI description are all made from this. The body and query schemas validate requests (422
 * naming the field) and document them; `response` (from `@paas/shared/api-contract`, the wire
 * contract with the CLI) documents the success body, and is required of every JSON route: tests
 * check each answer against it (`checkResponses`).
 */
export interface RouteSpec<B extends z.ZodTypeAny = z.ZodTypeAny, Q extends z.ZodTypeAny = z.ZodTypeAny> {
  method: Method;
  /** Express path, e.g. `/apps/:app/formation`. */
  path: string;
  action: Action;
  summary: string;
  tag: string;
  description?: string;
  /** Path parameters other than `:app`, with their meaning. */
  params?: Record<string, string>;
  body?: B;
  /** A valid body, shown in the OpenAPI document and used by the authorization tests. */
  example?: z.input<B>;
  query?: Q;
  response?: z.ZodTypeAny;
  /** Success status (default 200). */
  status?: number;
  /** A list endpoint taking `limit` and `cursor` and answering a `Next-Cursor` header. */
  paginated?: boolean;
  /** The handler writes the response itself (anything but a JSON body). */
  raw?: { contentType: string };
  handler: (call: RouteCall<z.infer<B>, z.infer<Q>>) => Promise<unknown> | unknown;
}

/** The API's routes: each one authenticated, authorised by the policy and validated the same way. */
export class RouteTable {
  readonly specs: RouteSpec[] = [];

  add<B extends z.ZodTypeAny = z.ZodUndefined, Q extends z.ZodTypeAny = z.ZodUndefined>(spec: RouteSpec<B, Q>): void {
    if (isAppAction(spec.action) && !spec.path.includes(':app')) throw new Error(`${spec.path}: an app action needs :app`);
    if (!spec.raw && !spec.response) throw new Error(`${spec.method.toUpperCase()} ${spec.path}: a JSON route needs a response schema`);
    if (this.specs.some((s) => s.method === spec.method && s.path === spec.path)) {
      throw new Error(`${spec.method.toUpperCase()} ${spec.path} is declared twice`);
    }
    this.specs.push(spec as unknown as RouteSpec);
  }

  /**
   * An express router serving every route: users authenticate with their tokens, the git hooks with
   * `hookToken` (header `x-paas-hook-token`); `db` resolves apps for the policy.
   */
  router(tokens: TokenService, db: Queryable, hookToken: string, options: { checkResponses?: boolean } = {}): Router {
    const r = Router();
    const authenticate = requireUser(tokens);
    // App routes: the user and the app of the path (with the user's relation to it) in one query.
    const authenticateWithApp: RequestHandler = (req, res, next) => {
      if (req.user) return next();
      const token = tokenFrom(req.headers.authorization);
      if (!token) return next(new AppError('unauthorized', 'authentication required: run paas login'));
      tokens.authenticateWithApp(token, String(req.params['app'] ?? '')).then(
        ({ user, app }) => {
          req.user = user;
          res.locals['app'] = { app };
          next();
        },
        (err: unknown) => next(err),
      );
    };
    const authenticateHook: RequestHandler = (req, _res, next) => {
      if (sameSecret(String(req.headers['x-paas-hook-token'] ?? ''), hookToken)) return next();
      next(new AppError('unauthorized', 'this endpoint is for the platform git hooks'));
    };
    for (const spec of this.specs) {
      // A route with a body schema reads a JSON body (415 for anything else), before authentication.
      const handlers: RequestHandler[] = spec.body ? [jsonBody] : [];
      if (spec.action === 'hook') handlers.push(authenticateHook);
      else if (isAppAction(spec.action)) handlers.push(authenticateWithApp);
      else if (spec.action !== 'public') handlers.push(authenticate);
      handlers.push(async (req: Request, res: Response) => {
        let app: AppRow | undefined;
        const params = Object.fromEntries(
          Object.entries(req.params as Record<string, string | string[]>).map(([k, v]) => [k, Array.isArray(v) ? v.join('/') : v]),
        );
        if (isAppAction(spec.action)) {
          const preloaded = res.locals['app'] as { app: Parameters<typeof appAllowed>[1] } | undefined;
          const name = params['app'] ?? '';
          app = preloaded
            ? appAllowed(currentUser(req), preloaded.app, name, spec.action)
            : await loadApp(db, currentUser(req), name, spec.action);
        }
        else if (spec.action !== 'public' && spec.action !== 'hook') authorize(req.user, spec.action);
        // Heroku's pagination (heroku/range.ts): a Range header on a GET of a list.
        const range = req.method === 'GET' && typeof req.headers.range === 'string' && req.headers.range.trim() !== '' ? parseRange(req.headers.range) : undefined;
        let rawQuery: unknown = req.query;
        if (range && spec.paginated) {
          if (range.start !== undefined && !/^[A-Za-z0-9_-]+$/.test(range.start)) {
            throw new AppError('requested_range_not_satisfiable', 'Range: the start is not a value from a Next-Range header');
          }
          rawQuery = { ...req.query, limit: String(range.max), ...(range.start !== undefined ? { cursor: range.start } : {}) };
        }
        const call: RouteCall<unknown, unknown> = {
          req,
          res,
          get user() {
            return currentUser(req);
          },
          get app() {
            if (!app) throw new AppError('internal', `${spec.path} is not an app route`);
            return app;
          },
          params,
          body: spec.body ? validate(spec.body, req.body) : undefined,
          query: spec.query ? validate(spec.query, rawQuery, 'query') : undefined,
        };
        let result = await spec.handler(call);
        if (spec.raw) return;
        let status = spec.status ?? 200;
        const paged = pageHeaders(spec, res, range, (call.query as { limit?: number } | undefined)?.limit, result);
        result = paged.result;
        if (paged.partial) status = 206;
        if (options.checkResponses) checkResponse(spec, result);
        res.status(status).json(result);
      });
      r[spec.method](spec.path, ...handlers);
    }
    return r;
  }
}

/**
 * Heroku's `Next-Range` beside paas's `Next-Cursor` on a paginated list (206 when the request asked
 * with `Range` and more follow); any other list asked with `Range` is paged in memory.
 */
function pageHeaders(spec: RouteSpec, res: Response, range: RangeRequest | undefined, limit: number | undefined, result: unknown): { result: unknown; partial: boolean } {
  if (spec.paginated) {
    const cursor = res.getHeader(nextCursorHeader);
    if (typeof cursor !== 'string') return { result, partial: false };
    res.setHeader('Next-Range', nextRange(range ?? { field: 'id', max: limit ?? 200, order: undefined }, cursor));
    return { result, partial: range !== undefined };
  }
  if (!range || !Array.isArray(result)) return { result, partial: false };
  const page = rangeOf(JSON.parse(JSON.stringify(result)) as unknown[], range);
  if (page.next === undefined) return { result: page.items, partial: false };
  res.setHeader('Next-Range', page.next);
  return { result: page.items, partial: true };
}

/**
 * Tests' check of the wire contract: the body as it goes on the wire (JSON) must match the route's
 * declared response schema, or the answer is a 500 naming the route and the fields that differ.
 */
export function checkResponse(spec: RouteSpec, result: unknown): void {
  if (!spec.response) throw new AppError('internal', `${spec.method.toUpperCase()} ${spec.path} declares no response schema`);
  const wire: unknown = result === undefined ? undefined : JSON.parse(JSON.stringify(result));
  const parsed = spec.response.safeParse(wire);
  if (parsed.success) return;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  throw new AppError('internal', `${spec.method.toUpperCase()} ${spec.path} answered a body that breaks its response schema: ${issues}`);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

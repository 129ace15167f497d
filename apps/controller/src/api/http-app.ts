import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import { findAppByName } from '../db/apps.js';
import { createGitHttp, type GitAuthorizer } from '../git/git-http.js';
import type { ApiContext } from './context.js';
import { canAccess, requireUser, tokenFrom } from './auth.js';
import { errorHandler, notFound } from './error-handler.js';
import { appsRoutes } from './routes/apps-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { configRoutes } from './routes/config-routes.js';
import { formationRoutes } from './routes/formation-routes.js';
import { internalRoutes } from './routes/internal-routes.js';
import { releasesRoutes } from './routes/releases-routes.js';

/** The controller's HTTP surface: git over HTTP at `/<app>.git`, the REST API, and the hooks' endpoint. */
export function createHttpApp(ctx: ApiContext): Express {
  const authorize: GitAuthorizer = async (req, name) => {
    const token = tokenFrom(req.headers.authorization);
    if (!token) return { status: 401, message: 'authentication required: run paas login', challenge: true };
    let user;
    try {
      user = await ctx.tokens.authenticate(token);
    } catch (err) {
      return { status: 401, message: (err as Error).message, challenge: true };
    }
    const app = await findAppByName(ctx.pool, name);
    if (!app || !canAccess(user, app)) return { status: 404, message: `Couldn't find that app: ${name}` };
    return { user };
  };
  const git = createGitHttp({ reposDir: ctx.repos.reposDir, authorize, pushes: ctx.pushes, log: ctx.log });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    const id = /^[\w-]{1,200}$/.test(String(req.headers['x-request-id'] ?? '')) ? String(req.headers['x-request-id']) : randomUUID();
    res.setHeader('Request-Id', id);
    next();
  });
  app.use((req, res, next) => {
    git.handle(req, res).then(
      (handled) => {
        if (!handled) next();
      },
      (err: unknown) => next(err),
    );
  });
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(express.json({ limit: '1mb' }));
  app.use(internalRoutes(ctx));
  app.use(authRoutes(ctx));
  app.use(requireUser(ctx.tokens));
  app.use(appsRoutes(ctx));
  app.use(configRoutes(ctx));
  app.use(formationRoutes(ctx));
  app.use(releasesRoutes(ctx));
  app.use(notFound);
  app.use(errorHandler(ctx.log));
  return app;
}

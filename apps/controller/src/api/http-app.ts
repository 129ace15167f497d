import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import { pathGuard, queryGuard } from './request-guard.js';
import { createGitHttp } from '../git/git-http.js';
import type { ApiContext } from './context.js';
import { requireUser } from './auth.js';
import { apiRoutes } from './api-routes.js';
import { errorHandler, notFound } from './error-handler.js';
import { gitAuthorizer } from './git-authorizer.js';
import { mountAttach } from './attach-upgrade.js';
import { metricsRoutes } from '../metrics/metrics-routes.js';
import { platformVersion, versionHeader } from '../cli-package/platform-version.js';
import { consoleStatic } from './console-static.js';
import { RateLimiter, rateLimit } from './heroku/rate-limit.js';

/** The controller's HTTP surface: git over HTTP at `/<app>.git`, the REST API, and the hooks' endpoint. */
export function createHttpApp(ctx: ApiContext): Express {
  const authorize = gitAuthorizer(ctx.tokens, ctx.pool);
  const git = createGitHttp({ reposDir: ctx.repos.reposDir, authorize, pushes: ctx.pushes, log: ctx.log, ...(ctx.gitLimits ? { limits: ctx.gitLimits } : {}) });
  const routes = apiRoutes(ctx);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    const id = /^[\w-]{1,200}$/.test(String(req.headers['x-request-id'] ?? '')) ? String(req.headers['x-request-id']) : randomUUID();
    res.setHeader('Request-Id', id);
    res.setHeader(versionHeader, platformVersion);
    next();
  });
  // Every answer says what is left of the caller's hourly budget (RateLimit-Remaining, as Heroku's API).
  app.use(rateLimit(ctx.rateLimiter ?? new RateLimiter(ctx.config.api.rateLimitPerHour)));
  if (ctx.metrics) app.use(ctx.metrics.httpMiddleware());
  app.use((req, res, next) => {
    git.handle(req, res).then(
      (handled) => {
        if (!handled) next();
      },
      (err: unknown) => next(err),
    );
  });
  // Before authentication: a path that does not decode is a 400, and no NUL or control character in
  // a path or query reaches a handler (request-guard.ts). Bodies are read per route (json-body.ts).
  app.use(pathGuard, queryGuard);
  // The web console (apps/console): static files, before authentication (it signs in through the API).
  app.use(consoleStatic(ctx.consoleDir));
  // The route table's routes authenticate and authorise themselves by the policy (auth/policy.ts).
  app.use(routes.router(ctx.tokens, ctx.pool, ctx.hookToken, { checkResponses: ctx.checkResponses ?? false }));
  app.locals['routes'] = routes;
  mountAttach(app, ctx); // paas run's upgrade requests: main.ts serves them with serveUpgrades
  app.use(metricsRoutes(ctx.metrics, ctx.tokens)); // an admin or PAAS_METRICS_TOKEN
  // Anything else: a 401 without a valid token, else a 404.
  app.use(requireUser(ctx.tokens));
  app.use(notFound);
  app.use(errorHandler(ctx.log));
  return app;
}

import http from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { AppRoute, Logger } from '@paas/shared';
import { logAccess } from './access-log.js';
import { routerErrors, sendError, writeRawError, type RouterErrorCode } from './error-pages.js';
import { hostOf } from './host-name.js';
import type { HttpProxy } from './proxy.js';
import type { RequestContext } from './request-context.js';
import { requestIdFor } from './request-id.js';
import { isRouterHost, serveRouterEndpoint, type RouterStatus } from './router-endpoints.js';
import type { RouteTable } from './route-table.js';
import type { UpgradeProxy } from './upgrade-proxy.js';

export interface RouterServerOptions {
  table: RouteTable;
  /** Whether the route table has completed its first sync (for /healthz). */
  synced: () => boolean;
  /** The platform domain (PAAS_DOMAIN): the router answers its own endpoints there. */
  domain: string;
  proxy: HttpProxy;
  upgrades: UpgradeProxy;
  logger: Logger;
}

/**
 * The router's HTTP server: each request goes to the router's own endpoints, to the app its Host names
 * (through the proxy), or gets an error page. Holds no state of its own, so several can share a table
 * (or run in cluster workers, each with its own table and sync).
 */
export function createRouterServer(options: RouterServerOptions): http.Server {
  const { table, domain, proxy, upgrades, logger } = options;
  const status: RouterStatus = { synced: options.synced, apps: () => table.size };

  const server = http.createServer((req, res) => {
    const ctx = contextOf(req);
    if (logger.isLevelEnabled('debug')) {
      res.once('close', () => logAccess(logger, ctx, { method: req.method, path: req.url, status: res.statusCode, completed: res.writableFinished }));
    }
    const target = resolve(ctx);
    if (target === 'router') serveRouterEndpoint(req, res, ctx, status);
    else if (typeof target === 'string') {
      ctx.error = target;
      sendError(req, res, target, ctx.requestId);
    } else proxy.forward(req, res, target, ctx);
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const ctx = contextOf(req);
    const done = (statusCode: number): void => {
      if (logger.isLevelEnabled('debug')) logAccess(logger, ctx, { method: req.method, path: req.url, status: statusCode, completed: true });
    };
    socket.on('error', () => {});
    const target = resolve(ctx);
    if (typeof target === 'string') {
      const code = target === 'router' ? 'not_found' : target;
      ctx.error = code;
      writeRawError(socket, code, ctx.requestId, req.headers.accept);
      done(routerErrors[code].status);
      return;
    }
    upgrades.forward(req, socket, head, target, ctx, done);
  });

  return server;

  function contextOf(req: http.IncomingMessage): RequestContext {
    return { requestId: requestIdFor(req.headers['x-request-id']), startedAt: performance.now(), host: hostOf(req.headers.host), attempts: 0 };
  }

  /** Where a request goes: the router itself, an app's route, or one of the router's errors. */
  function resolve(ctx: RequestContext): 'router' | RouterErrorCode | AppRoute {
    if (isRouterHost(ctx.host, domain)) return 'router';
    const route = table.lookup(ctx.host);
    if (!route) return 'app_not_found';
    ctx.app = route.app;
    return route.backends.length === 0 ? 'no_web_processes' : route;
  }
}

import http from 'node:http';
import http2 from 'node:http2';
import type https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { acmeTokenPattern, type AcmeChallengeStore, type AppRoute, type Logger } from '@paas/shared';
import { formatAccessLine, type AccessLogSink } from './access-log.js';
import { maintenanceResponse, routerErrors, sendError, writeRawError, type RouterErrorCode } from './error-pages.js';
import { handedOff } from './fast-front.js';
import { clientIpOf, isTls } from './forward-headers.js';
import { httpsRedirectFor, type HttpsRedirect } from './https-redirect.js';
import type { HttpProxy } from './proxy.js';
import type { ProxyRequest, ProxyResponse } from './proxy-messages.js';
import { contextOf, type RequestContext } from './request-context.js';
import { requestIdFor } from './request-id.js';
import { isRouterHost, serveRouterEndpoint, type RouterStatus } from './router-endpoints.js';
import type { RouterMetrics } from './router-metrics.js';
import type { RouteTable } from './route-table.js';
import type { UpgradeProxy } from './upgrade-proxy.js';

export interface RouterServerOptions {
  table: RouteTable;
  /** /healthz and /metrics. */
  status: RouterStatus;
  /** The platform domain (PAAS_DOMAIN): the router answers its own endpoints there. */
  domain: string;
  proxy: HttpProxy;
  upgrades: UpgradeProxy;
  logger: Logger;
  /** Where access lines go; none: no lines (tests, benchmarks). */
  accessLog?: AccessLogSink;
  metrics?: RouterMetrics;
  /** Plain HTTP requests for hosts with a certificate are redirected to HTTPS (all apps', or those whose route asks). */
  httpsRedirect?: HttpsRedirect;
  /** Request line and headers larger than this get a 431 (node's maxHeaderSize). */
  maxHeaderBytes?: number;
  /** ACME HTTP-01 challenges the platform is answering (automatic certificates); others go to the app. */
  acme?: AcmeChallengeStore;
}

const acmePrefix = '/.well-known/acme-challenge/';

/**
 * The router's request handling, shared by its HTTP and HTTPS servers: each request goes to the
 * router's own endpoints, to the app its Host names (through the proxy), or gets an error page; each
 * ends with an access line and a count in the metrics. Holds no state of its own, so several servers
 * can share a table (or run in cluster workers, each with its own table and sync).
 */
export class RouterHandlers {
  constructor(private readonly o: RouterServerOptions) {}

  readonly request = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    this.serve(req, res, this.contextOf(req));
  };

  /**
   * For the fast front: the app route a plain HTTP request goes to through the proxy, or undefined
   * when anything else applies (the router's endpoints, an error page, an HTTPS redirect).
   */
  proxiedRoute(ctx: RequestContext, url?: string): AppRoute | undefined {
    // ACME challenges go to serve(), which may answer them itself.
    if (this.isChallenge(url)) return undefined;
    const target = this.resolve(ctx);
    if (typeof target === 'string' || target.maintenance) return undefined;
    return this.redirects(target) ? undefined : target;
  }

  /** Whether HTTPS redirection applies to the route's plain requests (httpsRedirectFor then decides per host and path). */
  private redirects(route: AppRoute): boolean {
    const r = this.o.httpsRedirect;
    return r !== undefined && (r.all || route.httpsRedirect === true);
  }

  /** Serves a request: the router's endpoints, an error page, an HTTPS redirect, an ACME challenge or the proxy. */
  serve(req: http.IncomingMessage, res: http.ServerResponse, ctx: RequestContext): void {
    this.account(req, res, ctx);
    const url = req.url;
    if (this.isChallenge(url, req)) {
      this.serveChallenge(req, res, ctx, url!.slice(acmePrefix.length));
      return;
    }
    this.serveResolved(req, res, ctx);
  }

  /** Whether the platform may be answering this plain HTTP request (an ACME HTTP-01 challenge path). */
  private isChallenge(url: string | undefined, req?: ProxyRequest): boolean {
    return this.o.acme !== undefined && url !== undefined && url.startsWith(acmePrefix) && (req === undefined || !isTls(req));
  }

  /**
   * An ACME HTTP-01 challenge: the key authorization when the platform is validating this token for
   * one of its domains, else the request goes on to the app as any other (an app may run its own ACME).
   */
  private serveChallenge(req: http.IncomingMessage, res: http.ServerResponse, ctx: RequestContext, token: string): void {
    if (!acmeTokenPattern.test(token)) return this.serveResolved(req, res, ctx);
    this.o.acme!.getChallenge(token).then(
      (answer) => {
        if (answer === undefined) return this.serveResolved(req, res, ctx);
        const body = Buffer.from(answer);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length), 'x-request-id': ctx.requestId });
        res.end(body);
      },
      (err: unknown) => {
        this.o.logger.warn({ err, request_id: ctx.requestId }, 'ACME challenge lookup failed');
        this.serveResolved(req, res, ctx);
      },
    );
  }

  private serveResolved(req: http.IncomingMessage, res: http.ServerResponse, ctx: RequestContext): void {
    const target = this.resolve(ctx);
    if (target === 'router') serveRouterEndpoint(req, res, ctx, this.o.status);
    else if (typeof target === 'string') {
      ctx.error = target;
      sendError(req, res, target, ctx.requestId);
    } else if (target.maintenance) {
      ctx.error = 'maintenance';
      sendError(req, res, 'maintenance', ctx.requestId, maintenanceResponse(target, ctx.requestId, req.headers.accept));
    } else {
      const redirect = this.redirects(target) && httpsRedirectFor(req, ctx.host, target.app, this.o.httpsRedirect!);
      if (redirect) {
        res.writeHead(redirect.status, { location: redirect.location, 'content-length': 0, 'x-request-id': ctx.requestId });
        res.end();
        return;
      }
      this.o.proxy.forward(req, res, target, ctx);
    }
  }

  /** For the fast front: a request proxiedRoute sent to `route`. */
  serveProxied(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext, route: AppRoute): void {
    this.account(req, res, ctx);
    this.o.proxy.forward(req, res, route, ctx);
  }

  /** The access line and the metrics' count, once the answer is over. */
  private account(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): void {
    // Read now: by 'close' the request may have lost its socket.
    const fwd = clientIpOf(req);
    const protocol = isTls(req) ? 'https' : 'http';
    // 'close' comes once: `on` spares the once-wrapper.
    res.on('close', () => this.finished(req, ctx, res.headersSent || res.writableFinished ? res.statusCode : 499, fwd, protocol));
  }

  readonly upgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const ctx = this.contextOf(req);
    const fwd = clientIpOf(req);
    const protocol = isTls(req) ? 'https' : 'http';
    socket.on('error', () => {});
    const target = this.resolve(ctx);
    if (typeof target === 'string') {
      const code = target === 'router' ? 'not_found' : target;
      ctx.error = code;
      writeRawError(socket, code, ctx.requestId, req.headers.accept);
      this.finished(req, ctx, routerErrors[code].status, fwd, protocol);
      return;
    }
    if (target.maintenance) {
      ctx.error = 'maintenance';
      writeRawError(socket, 'maintenance', ctx.requestId, req.headers.accept, maintenanceResponse(target, ctx.requestId, req.headers.accept));
      this.finished(req, ctx, routerErrors.maintenance.status, fwd, protocol);
      return;
    }
    this.o.upgrades.forward(req, socket, head, target, ctx, (status) => this.finished(req, ctx, status, fwd, protocol));
  };

  /** Requests node could not parse: a 431 page for heads over the limit, else what node would send. */
  readonly clientError = (err: NodeJS.ErrnoException, socket: Duplex): void => {
    if (err.code === 'ECONNRESET' || !socket.writable || (socket as Socket & { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      this.o.metrics?.request(431);
      writeRawError(socket, 'headers_too_large', requestIdFor(undefined), undefined);
      return;
    }
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  };

  /** Counts client connections (for the metrics) on a server. */
  readonly connection = (socket: Socket): void => {
    const metrics = this.o.metrics;
    // A connection the fast front handed over was counted when it came.
    if (!metrics || (socket as Socket & { [handedOff]?: boolean })[handedOff]) return;
    metrics.connectionOpened();
    socket.once('close', () => metrics.connectionClosed());
  };

  private contextOf(req: http.IncomingMessage): RequestContext {
    return contextOf(req.rawHeaders, performance.now());
  }

  /** Where a request goes: the router itself, an app's route, or one of the router's errors. */
  private resolve(ctx: RequestContext): 'router' | RouterErrorCode | AppRoute {
    const host = ctx.host;
    if (host === this.o.domain || host === 'localhost') return 'router';
    const route = this.o.table.lookup(host);
    // IP literals are never an app's domain: checked only on a miss (the check is a long regexp).
    if (!route) return isRouterHost(host, this.o.domain) ? 'router' : 'app_not_found';
    ctx.app = route.app;
    return route.backends.length === 0 ? 'no_web_processes' : route;
  }

  private finished(req: Pick<ProxyRequest, 'method' | 'url'>, ctx: RequestContext, status: number, fwd: string, protocol: 'http' | 'https'): void {
    // Accounting must never take a worker (and every request in it) down.
    try {
      this.o.metrics?.request(status, ctx.app);
      const sink = this.o.accessLog;
      if (!sink) return;
      const line = formatAccessLine(ctx, { method: req.method, path: req.url, fwd, status, protocol });
      sink.write({ app: ctx.app, line, at: Date.now(), error: ctx.error !== undefined });
    } catch (err) {
      this.o.logger.error({ err, request_id: ctx.requestId }, 'access line failed');
    }
  }
}

/** node's HTTP server for plain HTTP (on the port itself, or behind the native codec's fast front: see http-codec.ts). */
export function createRouterServer(options: RouterServerOptions, handlers = new RouterHandlers(options)): http.Server {
  const server = http.createServer({ maxHeaderSize: options.maxHeaderBytes }, handlers.request);
  wire(server, handlers);
  return server;
}

/**
 * The HTTPS server: the same handling behind TLS, in HTTP/2 to clients that offer it (ALPN `h2`) and
 * HTTP/1.1 to the others (`allowHTTP1`); backends are spoken to in HTTP/1.1 either way. Websockets
 * and other upgrades come over HTTP/1.1. `SNICallback` picks the certificate by server name;
 * `cert`/`key` (the platform certificate, when there is one) serve clients that send no name.
 * Without any certificate for a name the handshake fails.
 */
export function createTlsRouterServer(options: RouterServerOptions, tls: Pick<https.ServerOptions, 'SNICallback' | 'cert' | 'key'>): http2.Http2SecureServer {
  const handlers = new RouterHandlers(options);
  const server = http2.createSecureServer(
    {
      ...tls,
      allowHTTP1: true,
      ALPNProtocols: ['h2', 'http/1.1'],
      // The HTTP/2 counterpart of the HTTP/1.1 head limit (maxHeaderSize, set below).
      ...(options.maxHeaderBytes !== undefined ? { settings: { maxHeaderListSize: options.maxHeaderBytes } } : {}),
    },
    // node's compatibility API: the same request and response methods the handlers use.
    handlers.request as unknown as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void,
  );
  // The HTTP/1.1 connections (ALPN fallback) are parsed by node's http server code, which reads this.
  if (options.maxHeaderBytes !== undefined) (server as unknown as { maxHeaderSize: number }).maxHeaderSize = options.maxHeaderBytes;
  wire(server as unknown as http.Server, handlers);
  server.on('tlsClientError', () => {
    /* failed handshakes (no certificate for the name, scanners): nothing to answer */
  });
  server.on('sessionError', () => {
    /* a client's broken HTTP/2 connection: node closes it; nothing to answer */
  });
  return server;
}

function wire(server: http.Server, handlers: RouterHandlers): void {
  server.on('upgrade', handlers.upgrade);
  server.on('clientError', handlers.clientError);
  server.on(server instanceof http.Server ? 'connection' : 'secureConnection', handlers.connection);
  // Keep idle client connections longer than the usual load balancer's 60 s.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
}

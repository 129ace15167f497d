import http from 'node:http';
import type { AppRoute, Backend, Logger } from '@paas/shared';
import { sendError, type RouterErrorCode } from './error-pages.js';
import { FirstByteTimer } from './first-byte-timer.js';
import { forwardingOf, hasBody, requestHeadersFor, responseHeadersFor } from './forward-headers.js';
import type { RequestContext } from './request-context.js';
import { mayRetry } from './retry-policy.js';
import type { RoundRobin } from './round-robin.js';

export interface ProxyOptions {
  /** Pools keep-alive connections to backends. */
  agent: http.Agent;
  balancer: RoundRobin;
  /** First-byte timeout (ms): from the request fully sent to the response headers. */
  timeoutMs: number;
  logger: Logger;
}

/**
 * A streaming HTTP/1.1 reverse proxy: bodies are piped both ways, never buffered. Backends take turns
 * (round-robin); an attempt that fails to connect is retried once on another backend, then the
 * client gets a 502. A backend that does not start its response within the timeout gets a 504.
 */
export class HttpProxy {
  constructor(private readonly options: ProxyOptions) {}

  /** Forwards the request to one of the route's backends (the route has at least one). */
  forward(req: http.IncomingMessage, res: http.ServerResponse, route: AppRoute, ctx: RequestContext): void {
    const { balancer, logger } = this.options;
    const headers = requestHeadersFor(req.headers, forwardingOf(req, ctx.requestId));
    const body = hasBody(req.headers);
    // Re-chunk a chunked body (whatever the method): node frames it when the header says so.
    if (req.headers['transfer-encoding'] !== undefined) headers['transfer-encoding'] = 'chunked';

    let upstream: http.ClientRequest | undefined;
    let answered = false; // the backend's response or an error page is on its way
    let bodyTaken = false;

    const fail = (code: RouterErrorCode, err?: Error): void => {
      answered = true;
      timer.clear();
      upstream?.destroy();
      ctx.error = code;
      logger.warn({ app: route.app, request_id: ctx.requestId, backend: where(ctx.backend), err }, code === 'app_timeout' ? 'app timed out' : 'app not responding');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // The rest of a half-sent body is not read: close the connection after the answer.
      if (bodyTaken && !req.complete) res.setHeader('connection', 'close');
      sendError(req, res, code, ctx.requestId);
    };
    const timer = new FirstByteTimer(this.options.timeoutMs, () => fail('app_timeout'));

    req.on('error', () => {
      /* the client went away mid-body: 'close' below cleans up */
    });
    res.on('close', () => {
      // The client left before the whole answer: drop the backend connection (it is not reusable).
      answered = true;
      timer.clear();
      if (!res.writableFinished) upstream?.destroy();
    });

    const attempt = (backend: Backend, retries: number): void => {
      ctx.backend = backend;
      ctx.attempts++;
      timer.arm();
      const up = http.request({
        host: backend.host,
        port: backend.port,
        method: req.method,
        path: req.url,
        headers,
        agent: this.options.agent,
      });
      upstream = up;

      up.on('socket', (socket) => {
        const connected = (): void => {
          if (answered || up !== upstream || !body) return;
          // The body flows only once a backend accepted the connection, so a refused attempt can
          // be retried. While the client uploads, the first-byte clock is stopped.
          timer.clear();
          bodyTaken = true;
          req.pipe(up);
        };
        if (socket.connecting) socket.once('connect', connected);
        else connected();
      });
      if (body) up.once('finish', () => !answered && timer.arm());
      else up.end();

      up.on('response', (upRes) => {
        if (answered) {
          upRes.resume();
          return;
        }
        answered = true;
        timer.clear();
        try {
          res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, responseHeadersFor(upRes.headers, ctx.requestId));
        } catch (err) {
          upRes.destroy();
          answered = false;
          fail('app_not_responding', err as Error);
          return;
        }
        // pipe, not pipeline: pipeline costs an AbortController and a DOMException per request.
        upRes.on('close', () => {
          if (!upRes.complete) res.destroy(); // the backend broke off mid-body: so must we
        });
        upRes.on('error', () => {});
        upRes.pipe(res);
      });

      up.on('error', (err) => {
        if (answered || up !== upstream) return;
        if (retries > 0 && mayRetry(err, { method: req.method, bodyTaken, reusedSocket: up.reusedSocket })) {
          logger.debug({ app: route.app, request_id: ctx.requestId, backend: where(backend), err }, 'retrying on another backend');
          attempt(balancer.other(route, backend), retries - 1);
          return;
        }
        fail('app_not_responding', err);
      });
    };

    const first = balancer.pick(route);
    if (first) attempt(first, 1);
    else fail('app_not_responding');
  }
}

export function where(backend: Backend | undefined): string | undefined {
  return backend && `${backend.host}:${backend.port}`;
}

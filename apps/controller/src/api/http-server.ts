/**
 * The controller's HTTP server around the express app: deadlines for every request (headers, the
 * whole request, a body that stops arriving, idle keep-alive connections) and the upgrade requests of
 * `paas run`. Answers stream for minutes (a push's build output, `logs --tail`), so the deadlines bound
 * how long a client may take to *send*, never how long the answer takes.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Express } from 'express';
import { AppError, type Logger } from '@paas/shared';
import { serveUpgrades } from './attach-upgrade.js';

export interface HttpLimits {
  /** From the connection (or the previous request) to the end of the request's headers. */
  headersTimeoutMs: number;
  /** From the start of a request to the end of its body (a push's pack included). */
  requestTimeoutMs: number;
  /** A request body that sends nothing for this long is cut off (a slow body). */
  bodyIdleTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** How often node checks the header and request deadlines. */
  checkIntervalMs: number;
}

export const defaultHttpLimits: HttpLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 15 * 60_000,
  bodyIdleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
};

/** An HTTP server for `app` with `limits` (not yet listening). */
export function createApiServer(app: Express, log: Logger, given: Partial<HttpLimits> = {}): http.Server {
  const limits = { ...defaultHttpLimits, ...given };
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    app,
  );
  // node wants the headers deadline below the request deadline.
  server.headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => bodyIdleDeadline(req, res, limits.bodyIdleTimeoutMs, log));
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // What node itself would do, minus the noise: a short answer when the socket can take one.
    log.debug({ err: err.message, code: err.code }, 'bad client connection');
    if (socket.writable && !(err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
      const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
      setTimeout(() => socket.destroy(), 1_000).unref();
    } else socket.destroy();
  });
  serveUpgrades(server, app, log, limits.bodyIdleTimeoutMs);
  return server;
}

/** A request body that stops arriving is answered 408 (or cut off, once the answer has begun). */
function bodyIdleDeadline(req: IncomingMessage, res: ServerResponse, ms: number, log: Logger): void {
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (!hasBody || req.complete) return;
  req.setTimeout(ms, () => {
    if (req.complete) return;
    log.info({ method: req.method, url: req.url?.slice(0, 200) }, 'request body stalled: closing');
    if (!res.headersSent) {
      res.writeHead(408, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify(new AppError('request_timeout', `no request body byte for ${Math.round(ms / 1000)} s`).toJSON()));
      res.once('finish', () => req.socket.destroy());
    } else req.socket.destroy();
  });
  const clear = (): void => {
    // Answers stream for as long as they take: the deadline is only for what the client sends (once
    // the answer is out, node's keep-alive deadline is the socket's and stays).
    if (!req.socket.destroyed && !res.writableFinished) req.socket.setTimeout(0);
  };
  req.once('end', clear);
  req.once('close', clear);
}

import { performance } from 'node:perf_hooks';
import type { BackendControl, BackendHandler, BackendRequest } from './backend-client.js';
import type { AppRoute, Backend, Logger } from '@paas/shared';
import type { BackendPools } from './backend-pools.js';
import type { BackendState, BackendStates } from './backend-states.js';
import type { Balancer } from './balancer.js';
import { routerErrors, sendError, type RouterErrorCode } from './error-pages.js';
import { downstreamHeaders, forwardingOf, upstreamHeaders } from './forward-headers.js';
import type { ProxyRequest, ProxyResponse } from './proxy-messages.js';
import type { RequestContext } from './request-context.js';
import { isConnectFailure, mayRetry } from './retry-policy.js';
import type { RouterMetrics } from './router-metrics.js';

const MiB = 1024 * 1024;

export interface ProxyOptions {
  /** Keep-alive connections to the backends. */
  pools: BackendPools;
  balancer: Balancer;
  /** In-flight counts and failures per backend (least-connections, ejection). */
  states: BackendStates;
  /** Request body limit (bytes) for apps whose route sets none. */
  maxBodyBytes: number;
  logger: Logger;
  metrics?: RouterMetrics;
}

/**
 * A streaming HTTP/1.1 reverse proxy: the codec's front (or node's HTTPS server) on the client side,
 * the codec's BackendClient on the backend side (see http-codec.ts); it sees only ProxyRequest and
 * ProxyResponse.
 * Bodies stream both ways with backpressure, never buffered. The balancer picks the backend; an
 * attempt that fails to connect is retried once on another backend, then the client gets a 502.
 * Connection failures count towards ejecting the backend. A backend that does not start its response
 * within the timeout gets a 504; a body over the app's limit a 413. Requests in flight to a backend
 * that leaves the route finish on their own connection (draining: its pool closes gracefully).
 */
export class HttpProxy {
  constructor(private readonly options: ProxyOptions) {}

  /** Forwards the request to one of the route's backends (the route has at least one). */
  forward(req: ProxyRequest, res: ProxyResponse, route: AppRoute, ctx: RequestContext): void {
    const limit = route.maxBodyMb !== undefined ? route.maxBodyMb * MiB : this.options.maxBodyBytes;
    if (ctx.contentLength !== undefined && Number(ctx.contentLength) > limit) {
      // Refused before anything is read or sent: the rest of the body is not read, the connection closes.
      ctx.error = 'body_too_large';
      closeAfterAnswer(req, res);
      sendError(req, res, 'body_too_large', ctx.requestId);
      return;
    }
    const first = this.options.balancer.pick(route);
    if (!first) {
      this.fail(req, res, route, ctx, 'app_not_responding');
      return;
    }
    const hasBody = ctx.chunked || (ctx.contentLength !== undefined && ctx.contentLength !== '0') || http2Body(req);
    new ProxiedRequest(this, req, res, route, ctx, hasBody ? limit : -1, hasBody && ctx.contentLength === undefined).attempt(first, 1);
  }

  /** @internal */
  get o(): ProxyOptions {
    return this.options;
  }

  /** Answers with the router's error page (or cuts the response when it had begun). @internal */
  fail(req: ProxyRequest, res: ProxyResponse, route: AppRoute, ctx: RequestContext, code: RouterErrorCode, err?: Error, bodyTaken = false): void {
    ctx.error = code;
    this.options.metrics?.upstreamError(code);
    if (code !== 'body_too_large') {
      this.options.logger.warn({ app: route.app, request_id: ctx.requestId, backend: where(ctx.backend), err }, routerErrors[code].title);
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (res.destroyed) return;
    // The rest of a half-sent body is not read: close the connection after the answer.
    if (bodyTaken && !req.complete) closeAfterAnswer(req, res);
    sendError(req, res, code, ctx.requestId);
  }
}

/**
 * One request on its way through the proxy: the backend client's handler for each attempt. A class
 * rather than closures, so a request costs one object and its methods are shared.
 */
class ProxiedRequest implements BackendHandler {
  private upstream: BackendControl | undefined;
  private state: BackendState | undefined;
  private backend: Backend | undefined;
  private retries = 0;
  private answered = false;
  private done = false;
  private connected = false;
  private bodyTaken = false;
  private sent = 0;
  private countBytes = false;
  /** Response body bytes relayed so far, when the backend announced their number. */
  private received = 0;
  /** The client's response was ended with the last announced byte. */
  private ended = false;
  private readonly headers: string[];

  constructor(
    private readonly proxy: HttpProxy,
    private readonly req: ProxyRequest,
    private readonly res: ProxyResponse,
    private readonly route: AppRoute,
    private readonly ctx: RequestContext,
    /** The body limit in bytes, or -1 when the request has no body. */
    private readonly limit: number,
    /** The body's length is unknown (chunked, or HTTP/2 without Content-Length). */
    private readonly chunked: boolean,
  ) {
    this.headers = upstreamHeaders(req.rawHeaders, forwardingOf(req, ctx.requestId, ctx.hostHeader));
    // Listeners as inline arrows, not arrow-function fields: the test and bench runs (tsx) wrap every
    // named arrow in a name-setting helper, per request. 'close' comes once: `on` spares once's wrapper.
    res.on('close', () => this.onClientClose());
    if (limit >= 0) req.on('error', noop); // the client went away mid-body: 'close' cleans up
  }

  attempt(backend: Backend, retries: number): void {
    const { states, pools } = this.proxy.o;
    this.backend = backend;
    this.retries = retries;
    this.connected = false;
    this.upstream = undefined;
    this.ctx.backend = backend;
    this.ctx.attempts++;
    if (this.state) this.state.active--;
    const state = states.get(backend);
    this.state = state;
    state.active++;
    const request: BackendRequest = {
      path: requestTarget(this.req),
      method: this.req.method ?? 'GET',
      headers: this.headers,
      // The body is read only once the connection is open: a refused attempt leaves it for the next.
      body: this.limit >= 0 ? this.req : null,
      chunked: this.chunked,
    };
    pools.pool(backend, state).dispatch(request, this);
  }

  onConnect(upstream: BackendControl, connectMs: number): void {
    this.upstream = upstream;
    this.ctx.connectMs = connectMs;
    this.ctx.sentAt = performance.now();
    if (this.done) upstream.abort(new Error('the client went away'));
  }

  onBodySent(bytes: number): void {
    this.bodyTaken = true;
    this.sent += bytes;
    if (this.sent > this.limit) this.upstream?.abort(Object.assign(new Error('request body over the limit'), { code: 'PAAS_BODY_TOO_LARGE' }));
  }

  onHeaders(statusCode: number, rawHeaders: string[], statusText: string): boolean {
    const { ctx, res } = this;
    this.answered = true;
    this.connected = true;
    ctx.firstByteAt = performance.now();
    this.proxy.o.metrics?.upstreamLatency(ctx.firstByteAt - ctx.sentAt, this.route.app);
    if (this.done) return false;
    const head = downstreamHeaders(rawHeaders, ctx.requestId);
    if (head.contentLength >= 0) ctx.bytes = head.contentLength;
    else this.countBytes = true;
    try {
      // HTTP/2 has no reason phrase (node warns when given one).
      if (this.req.httpVersionMajor >= 2) res.writeHead(statusCode, head.headers);
      else res.writeHead(statusCode, statusText || undefined, head.headers);
    } catch (err) {
      this.upstream?.abort(err as Error);
      return false;
    }
    return true;
  }

  private onDrain: (() => void) | undefined;

  onData(chunk: Buffer): boolean {
    if (this.done) return false;
    if (this.countBytes) this.ctx.bytes += chunk.length;
    else if ((this.received += chunk.length) === this.ctx.bytes) {
      // The last announced byte: the answer ends here (one call, and the head goes out with it).
      this.ended = true;
      // A small body as a latin1 string (the bytes as they came): node's response and the native front
      // both send it in one write with the head (a Buffer would go as a second one, in a writev).
      if (chunk.length <= 2048) this.res.end(chunk.toString('latin1'), 'latin1');
      else this.res.end(chunk);
      return true;
    }
    const ok = this.res.write(chunk);
    if (!ok) this.res.once('drain', (this.onDrain ??= () => this.upstream?.resume()));
    return ok;
  }

  onComplete(): void {
    this.release();
    if (!this.done && !this.ended) this.res.end();
  }

  onError(err: Error): void {
    const { proxy, ctx, route, req, res } = this;
    if (this.done) {
      this.release();
      return;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'PAAS_BODY_TOO_LARGE') {
      this.release();
      proxy.fail(req, res, route, ctx, 'body_too_large', err, true);
      return;
    }
    if (this.answered) {
      // The backend broke off mid-response: so must we.
      this.release();
      res.destroy();
      return;
    }
    const backend = this.backend!;
    const { states, balancer, logger } = proxy.o;
    if (!this.connected && isConnectFailure(err) && states.failed(backend)) {
      logger.warn({ app: route.app, backend: where(backend), process: backend.process }, 'backend ejected after failed connections');
    }
    if (code === 'PAAS_HEADERS_TIMEOUT') {
      this.release();
      proxy.fail(req, res, route, ctx, 'app_timeout', err, this.bodyTaken);
      return;
    }
    const next = this.retries > 0 && mayRetry(err, { method: req.method, bodyTaken: this.bodyTaken, reusedSocket: false }) ? balancer.pick(route, backend) : undefined;
    if (next !== undefined) {
      logger.debug({ app: route.app, request_id: ctx.requestId, backend: where(backend), err }, 'retrying on another backend');
      this.attempt(next, this.retries - 1);
      return;
    }
    this.release();
    proxy.fail(req, res, route, ctx, 'app_not_responding', err, this.bodyTaken);
  }

  /** The client's side closed (answer sent, or the client left): stop the backend side if still going. */
  private onClientClose(): void {
    this.done = true;
    if (!this.res.writableFinished) this.upstream?.abort(new Error('the client went away'));
    this.release();
  }

  private release(): void {
    if (this.state) this.state.active--;
    this.state = undefined;
  }
}

function noop(): void {}

/**
 * The request target for the backend. HTTP/1.1's parser admits no whitespace or control character in
 * it; an HTTP/2 `:path` is checked less strictly, so such characters are percent-encoded.
 */
function requestTarget(req: ProxyRequest): string {
  const url = req.url || '/';
  if (req.httpVersionMajor < 2 || !unsafeInTarget.test(url)) return url;
  return url.replace(unsafeInTargetAll, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
}

const unsafeInTarget = /[\x00-\x20\x7f]/;
const unsafeInTargetAll = /[\x00-\x20\x7f]/g;

/**
 * Whether an HTTP/2 request has a body: its length need not be announced (DATA frames run until the
 * stream ends), so it has one unless its HEADERS frame ended the stream.
 */
function http2Body(req: ProxyRequest): boolean {
  if (req.httpVersionMajor < 2) return false;
  return (req as ProxyRequest & { stream?: { endAfterHeaders?: boolean } }).stream?.endAfterHeaders === false;
}

/**
 * Asks for the client's connection to close after this answer (the rest of a refused body is not
 * read). HTTP/1 only: an HTTP/2 stream ends on its own and has no Connection header.
 */
function closeAfterAnswer(req: ProxyRequest, res: ProxyResponse): void {
  if (req.httpVersionMajor < 2) res.setHeader('connection', 'close');
}

export function where(backend: Backend | undefined): string | undefined {
  return backend && `${backend.host}:${backend.port}`;
}

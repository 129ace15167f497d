import http from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { AppRoute, Backend, Logger } from '@paas/shared';
import type { BackendState, BackendStates } from './backend-states.js';
import type { Balancer } from './balancer.js';
import { routerErrors, writeRawError, type RouterErrorCode } from './error-pages.js';
import { FirstByteTimer } from './first-byte-timer.js';
import { forwardingOf, requestHeadersFor, responseHeadersFor } from './forward-headers.js';
import type { RequestContext } from './request-context.js';
import { connectTimeoutError, isConnectFailure, mayRetry } from './retry-policy.js';
import { where } from './proxy.js';
import type { RouterMetrics } from './router-metrics.js';

export interface UpgradeProxyOptions {
  balancer: Balancer;
  states: BackendStates;
  metrics?: RouterMetrics;
  /** How long the backend may take to answer the Upgrade request (ms). */
  timeoutMs: number;
  /** How long opening the connection may take (ms). */
  connectTimeoutMs: number;
  logger: Logger;
}

/**
 * Proxies Upgrade requests (websockets and the like): the request goes to a backend on a connection
 * of its own; when the backend switches protocols (101) the two sockets are joined and bytes flow
 * both ways until either side closes. A backend that declines gets its answer relayed. Failing to
 * connect is retried once on another backend, as for plain requests.
 */
export class UpgradeProxy {
  /** Joined client sockets, closed on shutdown. */
  private readonly tunnels = new Set<Duplex>();

  constructor(private readonly options: UpgradeProxyOptions) {}

  get open(): number {
    return this.tunnels.size;
  }

  /** Closes every tunnel (at the end of a graceful shutdown). */
  closeAll(): void {
    for (const socket of this.tunnels) socket.destroy();
  }

  forward(req: http.IncomingMessage, socket: Duplex, head: Buffer, route: AppRoute, ctx: RequestContext, onDone: (status: number) => void): void {
    const { balancer, states, logger, metrics } = this.options;
    const headers = requestHeadersFor(req.headers, forwardingOf(req, ctx.requestId));
    headers['connection'] = 'Upgrade';
    headers['upgrade'] = req.headers.upgrade;

    let upstream: http.ClientRequest | undefined;
    let answered = false;
    let load: BackendState | undefined;
    const release = (): void => {
      if (load) load.active--;
      load = undefined;
    };

    const fail = (code: RouterErrorCode, err?: Error): void => {
      answered = true;
      timer.clear();
      upstream?.destroy();
      release();
      ctx.error = code;
      metrics?.upstreamError(code);
      logger.warn({ app: route.app, request_id: ctx.requestId, backend: where(ctx.backend), err }, routerErrors[code].title);
      writeRawError(socket, code, ctx.requestId, req.headers.accept);
      onDone(routerErrors[code].status);
    };
    const timer = new FirstByteTimer(this.options.timeoutMs, () => fail('app_timeout'));

    socket.on('error', () => {
      /* 'close' follows */
    });
    socket.on('close', () => {
      if (answered) return;
      answered = true;
      timer.clear();
      upstream?.destroy();
      release();
      onDone(499);
    });

    const attempt = (backend: Backend, retries: number): void => {
      ctx.backend = backend;
      ctx.attempts++;
      release();
      load = states.get(backend);
      load.active++;
      timer.arm();
      // A connection of its own (no pool): it becomes the tunnel.
      const up = http.request({ host: backend.host, port: backend.port, method: req.method, path: req.url, headers, agent: false });
      upstream = up;
      let connected = false;
      const began = performance.now();
      up.once('socket', (s) => {
        const connectTimer = setTimeout(() => up.destroy(connectTimeoutError(this.options.connectTimeoutMs)), this.options.connectTimeoutMs);
        s.once('close', () => clearTimeout(connectTimer));
        s.once('connect', () => {
          clearTimeout(connectTimer);
          connected = true;
          ctx.connectMs = performance.now() - began;
          ctx.sentAt = performance.now();
          states.succeeded(backend);
        });
      });

      up.on('upgrade', (upRes, upSocket, upHead) => {
        if (answered) {
          upSocket.destroy();
          return;
        }
        answered = true;
        timer.clear();
        ctx.firstByteAt = performance.now();
        metrics?.upstreamLatency(ctx.firstByteAt - ctx.sentAt, ctx.app);
        socket.write(statusLine(upRes) + rawHeaderLines(upRes.rawHeaders) + `X-Request-Id: ${ctx.requestId}\r\n\r\n`);
        if (upHead.length > 0) socket.write(upHead);
        if (head.length > 0) upSocket.write(head);
        this.join(socket, upSocket, release);
        onDone(101);
      });

      up.on('response', (upRes) => {
        if (answered) {
          upRes.resume();
          return;
        }
        // The backend declined to switch protocols: relay its answer and close.
        answered = true;
        timer.clear();
        ctx.firstByteAt = performance.now();
        upRes.once('close', release);
        const out = responseHeadersFor(upRes.headers, ctx.requestId);
        out['connection'] = 'close';
        socket.write(statusLine(upRes) + headerLines(out) + '\r\n');
        upRes.pipe(socket);
        onDone(upRes.statusCode ?? 502);
      });

      up.on('error', (err) => {
        if (answered || up !== upstream) return;
        if (!connected && isConnectFailure(err) && states.failed(backend)) {
          logger.warn({ app: route.app, backend: where(backend), process: backend.process }, 'backend ejected after failed connections');
        }
        const next = retries > 0 && mayRetry(err, { method: req.method, bodyTaken: false, reusedSocket: false }) ? balancer.pick(route, backend) : undefined;
        if (next !== undefined) {
          logger.debug({ app: route.app, request_id: ctx.requestId, backend: where(backend), err }, 'retrying on another backend');
          attempt(next, retries - 1);
          return;
        }
        fail('app_not_responding', err);
      });
      up.end();
    };

    const first = balancer.pick(route);
    if (first) attempt(first, 1);
    else fail('app_not_responding');
  }

  private join(client: Duplex, backend: Duplex, onClose: () => void): void {
    this.tunnels.add(client);
    const close = (): void => {
      if (this.tunnels.delete(client)) onClose();
      client.destroy();
      backend.destroy();
    };
    backend.on('error', close);
    client.on('error', close);
    backend.on('close', close);
    client.on('close', close);
    backend.pipe(client);
    client.pipe(backend);
  }
}

function statusLine(res: http.IncomingMessage): string {
  return `HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? ''}\r\n`;
}

/** The backend's 101 headers as it sent them (they complete the handshake), less its own request id. */
function rawHeaderLines(raw: string[]): string {
  let s = '';
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() !== 'x-request-id') s += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  return s;
}

function headerLines(headers: http.OutgoingHttpHeaders): string {
  let s = '';
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) s += `${name}: ${v}\r\n`;
  }
  return s;
}

import http from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { AppRoute, Logger } from '@paas/shared';
import type { InternalAccess } from './internal-access.js';
import type { HttpProxy } from './proxy.js';
import { contextOf, type RequestContext } from './request-context.js';
import type { RouterMetrics } from './router-metrics.js';
import type { RouteTable } from './route-table.js';
import type { UpgradeProxy } from './upgrade-proxy.js';

export interface InternalListenerOptions {
  table: RouteTable;
  access: InternalAccess;
  /** `<app>.<domain>` names an app here (PAAS_INTERNAL_DOMAIN). */
  domain: string;
  proxy: HttpProxy;
  upgrades: UpgradeProxy;
  logger: Logger;
  metrics?: RouterMetrics;
  maxHeaderBytes?: number;
}

/** Why a request to the internal listener is refused, and the short text it gets. */
type Refusal = { status: 403 | 404 | 503; text: string };

/**
 * The router's internal listener: apps call each other at `http://<app>.<PAAS_INTERNAL_DOMAIN>/`, a
 * name their containers resolve to this listener (an /etc/hosts entry the runtime writes). The source
 * app is told by the address the connection comes from (its network's subnet on this host, never a
 * header); the target by the Host. Only sources the target's owner allows (`paas network:allow`) are
 * proxied to the target's web processes; everything else gets a 403 (or 404 for a name that is no
 * app) with one line of text. An app's own processes reach each other on their own network.
 */
export class InternalListener {
  readonly server: http.Server;

  constructor(private readonly o: InternalListenerOptions) {
    this.server = http.createServer({ maxHeaderSize: o.maxHeaderBytes }, (req, res) => this.request(req, res));
    this.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.server.on('clientError', (_err, socket: Duplex) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      else socket.destroy();
    });
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
  }

  /** The route a request may go to, or why not. */
  decide(remoteAddress: string | undefined, ctx: RequestContext): AppRoute | Refusal {
    const suffix = `.${this.o.domain}`;
    const target = ctx.host.endsWith(suffix) ? ctx.host.slice(0, -suffix.length) : '';
    if (target === '' || target.includes('.')) return { status: 404, text: `not an internal name: use http://<app>${suffix}/` };
    ctx.app = target;
    const source = this.o.access.sourceOf(remoteAddress);
    if (source === undefined) return { status: 403, text: `refused: ${remoteAddress ?? 'this address'} is not an app of this platform on this host` };
    if (!this.o.access.allows(target, source)) {
      return { status: 403, text: `refused: app ${source} may not reach ${target}${suffix} (the owner of ${target} can allow it: paas network:allow ${source} -a ${target})` };
    }
    const route = this.o.table.get(target);
    if (!route) return { status: 404, text: `no app ${target} is served here` };
    if (route.backends.length === 0) return { status: 503, text: `${target} has no web processes running` };
    return route;
  }

  private request(req: http.IncomingMessage, res: http.ServerResponse): void {
    const ctx = contextOf(req.rawHeaders, performance.now());
    const decision = this.decide(req.socket.remoteAddress, ctx);
    if ('status' in decision) {
      this.o.metrics?.request(decision.status);
      const body = `${decision.text}\n`;
      res.writeHead(decision.status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-request-id': ctx.requestId });
      res.end(body);
      if (decision.status === 403) this.o.logger.info({ app: ctx.app, from: req.socket.remoteAddress, request_id: ctx.requestId }, 'internal request refused');
      return;
    }
    res.on('close', () => this.o.metrics?.request(res.headersSent ? res.statusCode : 499));
    this.o.proxy.forward(req, res, decision, ctx);
  }

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {});
    const ctx = contextOf(req.rawHeaders, performance.now());
    const decision = this.decide(req.socket.remoteAddress, ctx);
    if ('status' in decision) {
      const body = `${decision.text}\n`;
      socket.end(`HTTP/1.1 ${decision.status} ${http.STATUS_CODES[decision.status]}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
      return;
    }
    this.o.upgrades.forward(req, socket, head, decision, ctx, (status) => this.o.metrics?.request(status));
  }
}

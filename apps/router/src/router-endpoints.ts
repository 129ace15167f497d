import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError } from './error-pages.js';
import { isIpLiteral } from './host-name.js';
import type { RequestContext } from './request-context.js';

/** Hosts that address the router itself rather than an app: the platform domain, localhost, an IP. */
export function isRouterHost(host: string, domain: string): boolean {
  return host === domain || host === 'localhost' || isIpLiteral(host);
}

export interface RouterStatus {
  /** Whether the route table completed its first sync. */
  synced: () => boolean;
  /** Apps in the route table. */
  apps: () => number;
  /** The Prometheus text of the router's metrics (all workers'); none: no /metrics. */
  metrics?: () => Promise<{ contentType: string; text: string }>;
}

/**
 * The router's own endpoints: `GET /healthz`, 503 until the route table first synced; `GET /metrics`
 * in Prometheus' text format; else 404.
 */
export function serveRouterEndpoint(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, status: RouterStatus): void {
  const path = (req.url ?? '/').split('?')[0];
  const read = req.method === 'GET' || req.method === 'HEAD';
  if (path === '/healthz' && read) {
    const synced = status.synced();
    const body = JSON.stringify(synced ? { status: 'ok', apps: status.apps() } : { status: 'starting', apps: status.apps() });
    res.writeHead(synced ? 200 : 503, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'x-request-id': ctx.requestId,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  if (path === '/metrics' && read && status.metrics) {
    status.metrics().then(
      ({ contentType, text }) => {
        res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', 'x-request-id': ctx.requestId });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        const body = `metrics unavailable: ${(err as Error).message}\n`;
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-request-id': ctx.requestId });
        res.end(body);
      },
    );
    return;
  }
  ctx.error = 'not_found';
  sendError(req, res, 'not_found', ctx.requestId);
}

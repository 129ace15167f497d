import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import type { AppRoute } from '@paas/shared';
import type { ProxyRequest, ProxyResponse } from './proxy-messages.js';

/**
 * The router's own failures: a stable code, the HTTP status it maps to (this table is the one place),
 * a title and what it means for whoever reads the page.
 */
export const routerErrors = {
  app_not_found: { status: 404, title: 'No such app', detail: 'There is no app configured at this hostname.' },
  not_found: { status: 404, title: 'Not found', detail: 'The router has no page at this path.' },
  no_web_processes: {
    status: 503,
    title: 'No web processes running',
    detail: 'The app exists but has no web processes running. Scale its web process up to serve requests.',
  },
  app_not_responding: {
    status: 502,
    title: 'App not responding',
    detail: 'None of the app’s web processes accepted the connection. They may be crashed or restarting.',
  },
  app_timeout: {
    status: 504,
    title: 'App timed out',
    detail: 'The app did not start its response in time.',
  },
  maintenance: {
    status: 503,
    title: 'Under maintenance',
    detail: 'The app is undergoing maintenance. Please try again in a moment.',
  },
  body_too_large: {
    status: 413,
    title: 'Request body too large',
    detail: 'The request body is larger than this app accepts.',
  },
  headers_too_large: {
    status: 431,
    title: 'Request headers too large',
    detail: 'The request line and headers are larger than the router accepts.',
  },
} as const;

export type RouterErrorCode = keyof typeof routerErrors;

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** JSON for API clients that ask for it, an HTML page for everyone else. Both name the request id. */
export function errorResponse(code: RouterErrorCode, requestId: string, accept: string | undefined): ErrorResponse {
  const e = routerErrors[code];
  const json = accept?.includes('application/json') ?? false;
  const body = Buffer.from(
    json ? JSON.stringify({ id: code, message: e.title, detail: e.detail, request_id: requestId }) : page(e.status, e.title, e.detail, requestId),
  );
  return {
    status: e.status,
    body,
    headers: {
      'content-type': json ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
      'content-length': String(body.length),
      'cache-control': 'no-store',
      'x-request-id': requestId,
    },
  };
}

/**
 * The 503 of an app in maintenance mode: its own page when it has one (HTML, for clients that do not
 * ask for JSON), else the router's. Asks clients to come back in a minute.
 */
export function maintenanceResponse(route: Pick<AppRoute, 'maintenance'>, requestId: string, accept: string | undefined): ErrorResponse {
  const r = errorResponse('maintenance', requestId, accept);
  r.headers['retry-after'] = '60';
  const own = route.maintenance?.page;
  if (own === undefined || r.headers['content-type']!.startsWith('application/json')) return r;
  const body = Buffer.from(own);
  return { status: r.status, body, headers: { ...r.headers, 'content-length': String(body.length) } };
}

/** Answers a request with the error's page. */
export function sendError(
  req: Pick<ProxyRequest, 'headers'>,
  res: Pick<ProxyResponse, 'writeHead' | 'end'>,
  code: RouterErrorCode,
  requestId: string,
  response?: ErrorResponse,
): void {
  const r = response ?? errorResponse(code, requestId, req.headers.accept);
  res.writeHead(r.status, r.headers);
  res.end(r.body);
}

/** Answers an Upgrade request, whose socket no longer has an http response, with the error's page. */
export function writeRawError(socket: Duplex, code: RouterErrorCode, requestId: string, accept: string | undefined, response?: ErrorResponse): void {
  const r = response ?? errorResponse(code, requestId, accept);
  const head = [`HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? ''}`, ...Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`), 'connection: close'];
  socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), r.body]));
}

function page(status: number, title: string, detail: string, requestId: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}small{color:#666}</style>
</head>
<body>
<h1>${escape(title)}</h1>
<p>${escape(detail)}</p>
<p><small>HTTP ${status} · request id <code>${escape(requestId)}</code></small></p>
</body>
</html>
`;
}

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

import type { IncomingMessage } from 'node:http';
import { isTls } from './forward-headers.js';

export interface HttpsRedirect {
  /** Every app's hosts are redirected (PAAS_ROUTER_HTTPS_REDIRECT); else only those of apps whose route asks (`paas router:set --https-redirect on`). */
  all: boolean;
  /** The HTTPS port clients use (omitted from the location when 443). */
  port: number;
  /** Whether the router has a certificate naming the host, among the app's and the platform's: only such hosts are redirected. */
  covers: (host: string, app: string) => boolean;
}

/**
 * Where a plain HTTP request for an app is sent instead, when HTTPS redirection is on: the same URL on
 * https, 301 for GET and HEAD, 308 for the rest (the method and body are kept). Hosts the router has
 * no certificate for, and ACME HTTP-01 challenges, stay on plain HTTP.
 */
export function httpsRedirectFor(req: IncomingMessage, host: string, app: string, r: HttpsRedirect): { status: number; location: string } | undefined {
  if (isTls(req)) return undefined;
  const path = req.url ?? '/';
  if (path.startsWith('/.well-known/acme-challenge/') || !r.covers(host, app)) return undefined;
  return {
    status: req.method === 'GET' || req.method === 'HEAD' ? 301 : 308,
    location: `https://${host}${r.port === 443 ? '' : `:${r.port}`}${path.startsWith('/') ? path : `/${path}`}`,
  };
}

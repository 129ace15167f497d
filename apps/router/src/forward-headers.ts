import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { portOf } from './host-name.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection and are never forwarded. */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** A copy of the headers without the hop-by-hop ones, nor those the Connection header names. */
export function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set<string>();
  const connection = headers.connection;
  if (connection) for (const token of connection.split(',')) named.add(token.trim().toLowerCase());
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name) || name.startsWith('proxy-') || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

export interface ForwardedFor {
  /** The client's address as the router saw it. */
  clientIp: string;
  /** The scheme the client used to reach the router. */
  proto: 'http' | 'https';
  /** The port the client addressed. */
  port: number;
  requestId: string;
}

/**
 * The headers sent to a backend: the client's end-to-end headers (Host included, as sent), with the
 * client's address appended to X-Forwarded-For, X-Forwarded-Proto/-Port set and the request id.
 * `Expect` is dropped: the router answers `100 Continue` itself.
 */
export function requestHeadersFor(headers: IncomingHttpHeaders, f: ForwardedFor): OutgoingHttpHeaders {
  const out = withoutHopByHop(headers);
  delete out['expect'];
  const prior = headers['x-forwarded-for'];
  out['x-forwarded-for'] = prior ? `${prior}, ${f.clientIp}` : f.clientIp;
  out['x-forwarded-proto'] = f.proto;
  out['x-forwarded-port'] = String(f.port);
  out['x-request-id'] = f.requestId;
  return out;
}

/** The headers sent back to the client: the backend's end-to-end headers and the request id. */
export function responseHeadersFor(headers: IncomingHttpHeaders, requestId: string): OutgoingHttpHeaders {
  const out = withoutHopByHop(headers);
  out['x-request-id'] = requestId;
  return out;
}

/** Whether a request carries a body (RFC 9112 §6.3): a Transfer-Encoding, or a non-zero Content-Length. */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}

/** How the client reached the router, from its socket and Host header (plain HTTP for now). */
export function forwardingOf(req: IncomingMessage, requestId: string): ForwardedFor {
  const remote = req.socket.remoteAddress ?? '';
  return {
    clientIp: remote.startsWith('::ffff:') ? remote.slice(7) : remote,
    proto: 'http',
    // The port the client addressed: the Host header names it unless it is the scheme's default.
    port: portOf(req.headers.host) ?? 80,
    requestId,
  };
}

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { ProxyRequest } from './proxy-messages.js';

/** What the forwarding headers read of a request: its connection and its Host. */
type ClientSide = Pick<ProxyRequest, 'socket' | 'headers'>;
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

/** Request headers the router sets itself (or drops) rather than forwards as they came. */
const setByRouter = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port', 'x-request-id', 'expect', 'transfer-encoding']);

/** Connection tokens that name nothing beyond the hop-by-hop headers (the usual `keep-alive`, `close`). */
function namesOthers(connection: string): boolean {
  // The usual value (every keep-alive response carries it), without splitting.
  if (connection.length === 10 && connection.toLowerCase() === 'keep-alive') return false;
  for (const token of connection.split(',')) {
    const t = token.trim().toLowerCase();
    if (t !== '' && !hopByHop.has(t)) return true;
  }
  return false;
}

function connectionTokens(values: string[]): Set<string> {
  const named = new Set<string>();
  for (const v of values) for (const token of v.split(',')) named.add(token.trim().toLowerCase());
  return named;
}

/** A flat `[name, value, …]` list without the headers whose lowercase name is in `drop`. */
function withoutNamed(list: string[], drop: Set<string>, keepLast: number): string[] {
  const out: string[] = [];
  const end = list.length - keepLast;
  for (let i = 0; i < end; i += 2) if (!drop.has(list[i]!.toLowerCase())) out.push(list[i]!, list[i + 1]!);
  for (let i = end; i < list.length; i++) out.push(list[i]!);
  return out;
}

/**
 * The request headers for a backend from the client's raw headers, as a flat `[name, value, …]` list
 * (node's raw format, names as the client wrote them): hop-by-hop headers and those the
 * Connection header names are dropped, X-Forwarded-For is appended to, X-Forwarded-Proto/-Port and the
 * request id set. Content-Length is kept (the body is streamed as it came); Transfer-Encoding is not
 * (the client side re-chunks a body of unknown length); `Expect` neither (node answers 100 Continue).
 * HTTP/2 pseudo-headers (`:method`, `:authority`, …) are dropped; without a Host header, `:authority`
 * becomes the backend's Host; several Cookie fields become one. One pass over the raw list (a second only when the Connection header
 * names end-to-end headers, which clients hardly do): the client's headers object is never built.
 */
export function upstreamHeaders(raw: string[], f: ForwardedFor): string[] {
  const out: string[] = [];
  let connection: string[] | undefined;
  let prior: string | undefined;
  let host = false;
  let authority: string | undefined;
  let cookieAt = -1;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.charCodeAt(0) === 58 /* : */) {
      if (name === ':authority') authority = raw[i + 1];
      continue;
    }
    const lower = name.toLowerCase();
    if (hopByHop.has(lower) || setByRouter.has(lower) || lower.startsWith('proxy-')) {
      if (lower === 'x-forwarded-for') prior = prior === undefined ? raw[i + 1] : `${prior}, ${raw[i + 1]}`;
      else if (lower === 'connection' && namesOthers(raw[i + 1]!)) (connection ??= []).push(raw[i + 1]!);
      continue;
    }
    if (lower === 'host') host = true;
    else if (lower === 'cookie') {
      // HTTP/2 clients may split Cookie into several fields: one field for an HTTP/1.1 backend (RFC 9113 §8.2.3).
      if (cookieAt >= 0) {
        out[cookieAt] = `${out[cookieAt]}; ${raw[i + 1]}`;
        continue;
      }
      cookieAt = out.length + 1;
    }
    out.push(name, raw[i + 1]!);
  }
  if (!host && authority !== undefined) out.push('host', authority);
  out.push(
    'x-forwarded-for',
    prior ? `${prior}, ${f.clientIp}` : f.clientIp,
    'x-forwarded-proto',
    f.proto,
    'x-forwarded-port',
    String(f.port),
    'x-request-id',
    f.requestId,
  );
  return connection ? withoutNamed(out, connectionTokens(connection), 8) : out;
}

/** A backend's response headers for the client, from the backend's raw list. */
export interface DownstreamHead {
  /** Flat `[name, value, …]`: end-to-end headers only, then the request id. */
  headers: string[];
  /** The Content-Length the backend sent, or -1. */
  contentLength: number;
}

/**
 * The response headers for the client: the backend's end-to-end headers (raw, in order) and the
 * request id. One pass; a second only when the backend's Connection header names end-to-end headers.
 */
export function downstreamHeaders(raw: Buffer[] | string[], requestId: string): DownstreamHead {
  const headers: string[] = [];
  let connection: string[] | undefined;
  let contentLength = -1;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    const value = raw[i + 1]!.toString('latin1');
    const lower = name.toLowerCase();
    if (hopByHop.has(lower) || lower === 'x-request-id' || lower.startsWith('proxy-')) {
      if (lower === 'connection' && namesOthers(value)) (connection ??= []).push(value);
      continue;
    }
    if (lower === 'content-length') contentLength = Number(value);
    headers.push(name, value);
  }
  headers.push('x-request-id', requestId);
  return { headers: connection ? withoutNamed(headers, connectionTokens(connection), 2) : headers, contentLength };
}

/**
 * How the client reached the router, from its socket (TLS or not) and Host header (`hostHeader`, when
 * the caller has it: reading `req.headers` builds node's headers object).
 */
export function forwardingOf(req: ClientSide, requestId: string, hostHeader: string | undefined = req.headers.host): ForwardedFor {
  const https = isTls(req);
  return {
    clientIp: clientIpOf(req),
    proto: https ? 'https' : 'http',
    // The port the client addressed: the Host header names it unless it is the scheme's default.
    port: portOf(hostHeader) ?? (https ? 443 : 80),
    requestId,
  };
}

/** Whether the request came over TLS. */
export function isTls(req: Pick<ProxyRequest, 'socket'>): boolean {
  return req.socket?.encrypted === true;
}

/** The client's address as the router saw it (IPv4 without its IPv6-mapped prefix). */
export function clientIpOf(req: Pick<ProxyRequest, 'socket'>): string {
  const remote = req.socket?.remoteAddress ?? '';
  return remote.startsWith('::ffff:') ? remote.slice(7) : remote;
}

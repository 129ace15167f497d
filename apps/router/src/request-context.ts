import type { Backend } from '@paas/shared';
import type { RouterErrorCode } from './error-pages.js';
import { hostOf } from './host-name.js';
import { requestIdFor } from './request-id.js';

/** What the router learns about one request as it goes, for the access line and the metrics. */
export interface RequestContext {
  requestId: string;
  /** performance.now() when the request arrived. */
  startedAt: number;
  /** Host name, lowercase, without port. */
  host: string;
  /** The Host header as sent (HTTP/2: the `:authority`), for the port the client addressed. */
  hostHeader: string | undefined;
  app?: string;
  /** The backend that answered (or was tried last). */
  backend?: Backend;
  /** Connection attempts made to backends. */
  attempts: number;
  /** The router's own error, when it answered instead of a backend. */
  error?: RouterErrorCode;
  /** ms spent opening the connection to the backend that answered (0 for a pooled one). */
  connectMs: number;
  /** performance.now() when the request could go to the backend (its connection was open). */
  sentAt: number;
  /** performance.now() when the backend's response head arrived (0: it did not). */
  firstByteAt: number;
  /** Response body bytes from the backend (its Content-Length, else counted). */
  bytes: number;
  /** The request's Content-Length header, as sent. */
  contentLength: string | undefined;
  /** Whether the request has a Transfer-Encoding (a body of unknown length). */
  chunked: boolean;
  /** Whether the request has an Expect header (e.g. `100-continue`). */
  expect: boolean;
}

/**
 * A request's context from its raw headers, in one pass: the host (the Host header, else HTTP/2's
 * `:authority`), the request id (the client's when sane), and how its body is framed. node's headers
 * object is never built on the proxied path.
 */
export function contextOf(rawHeaders: string[], startedAt: number): RequestContext {
  let host: string | undefined;
  let clientId: string | undefined;
  let contentLength: string | undefined;
  let chunked = false;
  let expect = false;
  let authority: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    // Most names differ from these four by their length alone.
    switch (name.length) {
      case 4:
        if (host === undefined && name.toLowerCase() === 'host') host = rawHeaders[i + 1];
        break;
      case 6:
        if (name.toLowerCase() === 'expect') expect = true;
        break;
      case 10:
        if (name === ':authority') authority = rawHeaders[i + 1];
        break;
      case 12:
        if (clientId === undefined && name.toLowerCase() === 'x-request-id') clientId = rawHeaders[i + 1];
        break;
      case 14:
        if (contentLength === undefined && name.toLowerCase() === 'content-length') contentLength = rawHeaders[i + 1];
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') chunked = true;
        break;
    }
  }
  host ??= authority;
  return {
    requestId: requestIdFor(clientId),
    startedAt,
    host: hostOf(host),
    hostHeader: host,
    attempts: 0,
    connectMs: 0,
    sentAt: 0,
    firstByteAt: 0,
    bytes: 0,
    contentLength,
    chunked,
    expect,
  };
}

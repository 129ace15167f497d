import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { BodySource } from './backend-client.js';

/**
 * The request as the proxy, the access line and the error pages read it: what node's
 * IncomingMessage and Http2ServerRequest have, and what the native codec's FrontRequest carries
 * (front-exchange.ts). Its body, if any, is read as a BodySource.
 */
export interface ProxyRequest extends BodySource {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly httpVersionMajor: number;
  /** Flat `[name, value, …]`, as received. */
  readonly rawHeaders: string[];
  /** The fields by lowercase name (built on first read by node). */
  readonly headers: IncomingHttpHeaders;
  /** Every byte of the body was read (or there is none). */
  readonly complete: boolean;
  /** The client's connection: its address, and whether it is TLS. */
  readonly socket: { readonly remoteAddress?: string | undefined; readonly encrypted?: boolean } | null;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/**
 * The answer as the proxy and the error pages write it: what node's ServerResponse has, and what the
 * native codec's FrontResponse implements. 'close' comes once (answer complete, or the client left).
 */
export interface ProxyResponse {
  statusCode: number;
  readonly headersSent: boolean;
  readonly writableFinished: boolean;
  readonly destroyed: boolean;
  writeHead(status: number, headers?: OutgoingHttpHeaders | string[]): unknown;
  writeHead(status: number, reason: string | undefined, headers?: OutgoingHttpHeaders | string[]): unknown;
  setHeader(name: string, value: string): unknown;
  write(chunk: Buffer): boolean;
  /**
   * A string is sent as latin1 (`encoding` says so to node's response): a small body given as a
   * string goes out in one write with the head.
   */
  end(chunk?: Buffer): unknown;
  end(chunk: string, encoding: 'latin1'): unknown;
  destroy(): unknown;
  on(event: 'close', listener: () => void): unknown;
  once(event: 'drain', listener: () => void): unknown;
}

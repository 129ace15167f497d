import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { BackendConnection, Exchange, codedError, type ConnectionPool } from './backend-connection.js';

/** One request for a backend. */
export interface BackendRequest {
  method: string;
  /** The request target, as the client sent it. */
  path: string;
  /** Flat `[name, value, …]`, sent as given (Host and Content-Length included, no hop-by-hop headers). */
  headers: string[];
  /** The body to stream to the backend, or null. It is read only once a connection is open. */
  body: Readable | null;
  /** The body's length is not in the headers: it goes with chunked transfer coding. */
  chunked: boolean;
}

/** What a request's owner can do to it once it is on a connection. */
export interface BackendControl {
  /** Stops the request (onError follows, with the error given); closes its connection. */
  abort(err?: Error): void;
  /** Reads the response again after a handler returned false. */
  resume(): void;
}

export interface BackendHandler {
  /**
   * The request is about to go out on an open connection. `connectMs`: time spent opening the
   * connection (0 when reused).
   */
  onConnect(control: BackendControl, connectMs: number): void;
  /** Bytes of the body written to the backend. */
  onBodySent(bytes: number): void;
  /** The response head (1xx answers are not passed on). False pauses the response until `control.resume()`. */
  onHeaders(statusCode: number, rawHeaders: string[], statusText: string): boolean;
  /** A piece of the response body. False pauses the response until `control.resume()`. */
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  onError(err: Error): void;
}

export interface BackendClientOptions {
  connectTimeoutMs: number;
  /** How long a backend may take to start its response once the request is sent. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is not reused after this long (below node's 5 s keepAliveTimeout). */
  idleMs: number;
}

/**
 * HTTP/1.1 keep-alive connections to ONE backend address, without pipelining and without a limit on
 * their number: each request takes an idle connection (the most recently used) or opens one. Responses
 * are parsed by node's own parser (native-http-parser.ts), with no stream or message object per
 * request: this is the router's hot path. A request whose reused connection turns out to have been
 * closed by the backend before anything came back, and that sent no body byte, goes again on a new
 * connection. `close()` drains: idle connections close, busy ones once their response is complete.
 */
export class BackendClient implements ConnectionPool {
  private readonly idle: BackendConnection[] = [];
  private readonly all = new Set<BackendConnection>();
  private closing = false;
  private destroyed = false;

  constructor(
    readonly host: string,
    readonly port: number,
    /** @internal */ readonly o: BackendClientOptions,
  ) {}

  get closed(): boolean {
    return this.closing || this.destroyed;
  }

  /** Connections open (busy and idle). */
  get connections(): number {
    return this.all.size;
  }

  dispatch(request: BackendRequest, handler: BackendHandler): void {
    const exchange = new Exchange(request, handler);
    if (this.destroyed) {
      exchange.done = true;
      handler.onError(codedError('the backend client is closed', 'PAAS_CLIENT_CLOSED'));
      return;
    }
    this.send(exchange);
  }

  /** @internal Sends on an idle connection fresh enough to trust, else on a new one. */
  send(exchange: Exchange, fresh = false): void {
    const now = performance.now();
    let conn: BackendConnection | undefined;
    while (!fresh && (conn = this.idle.pop()) !== undefined) {
      if (now - conn.idleSince < this.o.idleMs && conn.usable()) break;
      conn.destroy();
      conn = undefined;
    }
    if (conn) conn.start(exchange, 0);
    else {
      const opened = new BackendConnection(this, exchange, now);
      this.all.add(opened);
    }
  }

  /** @internal A connection whose response is complete: kept for the next request, or closed. */
  release(conn: BackendConnection): void {
    if (this.closing || this.destroyed || !conn.usable()) conn.destroy();
    else this.idle.push(conn);
  }

  /** @internal */
  forget(conn: BackendConnection): void {
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** Graceful: idle connections close now, busy ones when their response is complete. */
  close(): void {
    this.closing = true;
    for (const conn of this.idle.splice(0)) conn.destroy();
  }

  /** Every connection closes now; requests in flight fail. */
  destroy(): void {
    this.destroyed = true;
    for (const conn of [...this.all]) conn.fail(codedError('the router is closing the connection', 'PAAS_CLIENT_CLOSED'));
  }
}

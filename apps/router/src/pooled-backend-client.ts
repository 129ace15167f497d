import { performance } from 'node:perf_hooks';
import { codedError, type BackendClient, type BackendClientOptions, type BackendHandler, type BackendRequest } from './backend-client.js';
import { BackendConnection, Exchange, type ConnectionPool } from './backend-connection.js';
import type { ResponseReaderFactory } from './response-reader.js';

/**
 * HTTP/1.1 keep-alive connections to ONE backend address, without pipelining and without a limit on
 * their number: each request takes an idle connection (the most recently used) or opens one. Responses
 * are read by the codec's ResponseReader (node's own parser on the socket's handle, or ResponseParser
 * on its 'data' events), with no stream or message object per request: the router's hot path. A request whose reused connection turns out to have been
 * closed by the backend before anything came back, and that sent no body byte, goes again on a new
 * connection. `close()` drains: idle connections close, busy ones once their response is complete.
 */
export class PooledBackendClient implements BackendClient, ConnectionPool {
  private readonly idle: BackendConnection[] = [];
  private readonly all = new Set<BackendConnection>();
  private closing = false;
  private destroyed = false;

  constructor(
    readonly host: string,
    readonly port: number,
    /** @internal */ readonly o: BackendClientOptions,
    /** @internal How responses are read off a connection (the codec's). */
    readonly reader: ResponseReaderFactory,
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

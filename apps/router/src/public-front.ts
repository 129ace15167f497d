import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import { handedOff } from './fast-front.js';
import { ConnectionFront, QueuedConnection, type ParsedRequest } from './front-connection.js';
import { contextOf } from './request-context.js';
import { incomplete, other, parseRequestHead, type RequestHead } from './request-head-parser.js';

const noop = (): void => {};

/**
 * The node codec's front on the plain HTTP port, on public APIs only (`net` sockets' 'data' events,
 * and node's HTTP server fed through its documented 'connection' event): it serves the plain,
 * bodyless keep-alive requests for proxied apps itself, read by a strict parser of its own
 * (request-head-parser.ts), without node's stream and message objects. Anything else — a head that
 * parser does not call plain, the router's own endpoints, error pages, redirects — hands the
 * connection, from that request on, to node's HTTP server with the exact bytes read from that
 * request's first byte, so node answers it (and all that follows) exactly as it always has.
 */
export class PublicFront extends ConnectionFront {
  protected connect(socket: net.Socket): PublicConnection {
    return new PublicConnection(this, socket);
  }
}

class PublicConnection extends QueuedConnection {
  /** Bytes read and not yet parsed (a head still coming, or what follows a hand-off's head). */
  private pending: Buffer | undefined;
  /** From this request on (its bytes in pending), the connection is node's server's. */
  private handOffPending = false;

  constructor(front: PublicFront, socket: net.Socket) {
    super(front, socket);
    socket.on('error', noop);
    socket.on('close', this.onClose);
    socket.on('data', this.onData);
    this.deadline.arm(front.o.keepAliveMs, false);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.done || this.ending) return;
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    if (this.handOffPending) {
      this.pending = buf;
      // What node's server will read waits here: not more than a head's worth before pausing.
      if (buf.length > this.front.o.maxHeaderBytes) this.stopReading();
      return;
    }
    let at = 0;
    while (at < buf.length) {
      const head = parseRequestHead(buf, at, this.front.o.maxHeaderBytes);
      if (head === incomplete) break;
      const request = head === other ? undefined : this.routed(head);
      if (!request) {
        this.handOffPending = true;
        this.pending = buf.subarray(at);
        if (this.idle()) this.handOff();
        return;
      }
      at += (head as RequestHead).length;
      this.accept(request);
      if (this.done || this.ending) return;
    }
    if (at < buf.length) {
      if (at > 0) buf = buf.subarray(at);
      this.pending = buf;
      if (!this.midHead && this.idle()) {
        // The first bytes of a head: it has the head timeout from now.
        this.midHead = true;
        this.deadline.arm(this.front.o.headersTimeoutMs, false);
      }
    } else this.midHead = false;
  };

  /** A plain head's request, when it is one the proxy serves. */
  private routed(head: RequestHead): ParsedRequest | undefined {
    const ctx = contextOf(head.headers, performance.now());
    const route = this.front.o.handlers.proxiedRoute(ctx, head.url);
    return route ? { method: head.method, url: head.url, headers: head.headers, keepAlive: head.keepAlive, ctx, route } : undefined;
  }

  protected setReading(on: boolean): void {
    if (on) this.socket.resume();
    else this.socket.pause();
  }

  protected handOffWaiting(): boolean {
    return this.handOffPending;
  }

  /**
   * Gives the connection to node's HTTP server (its documented 'connection' event), with the bytes
   * from the request it gets first on put back at the front of the socket's stream; it reads them,
   * then everything after, through the stream.
   */
  protected handOff(): void {
    const bytes = this.pending;
    this.pending = undefined;
    this.handOffPending = false;
    this.release();
    const socket = this.socket;
    socket.removeListener('close', this.onClose);
    socket.removeListener('error', noop);
    (socket as net.Socket & { [handedOff]?: boolean })[handedOff] = true;
    socket.pause();
    this.front.o.fallback.emit('connection', socket);
    if (bytes && bytes.length > 0) socket.unshift(bytes);
    socket.resume();
  }

  protected releaseReader(): void {
    this.socket.removeListener('data', this.onData);
  }
}

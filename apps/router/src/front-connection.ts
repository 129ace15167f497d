import net from 'node:net';
import type { AppRoute } from '@paas/shared';
import type { FrontSettings } from './fast-front.js';
import { FrontRequest, FrontResponse, type FrontResponseOwner } from './front-exchange.js';
import type { RouterFront } from './http-codec.js';
import { LazyDeadline } from './lazy-deadline.js';
import type { RequestContext } from './request-context.js';

/** A request whose head was read, to be served by the front once the answers before it are out. */
export interface ParsedRequest {
  method: string;
  url: string;
  headers: string[];
  keepAlive: boolean;
  ctx: RequestContext;
  route: AppRoute;
}

/** What a connection needs of its front. */
export interface FrontOwner {
  readonly o: FrontSettings;
  readonly stopping: boolean;
  forget(conn: QueuedConnection): void;
}

/**
 * A front on the plain HTTP port (the native codec's FastFront, the node codec's PublicFront): a
 * `net` server whose connections serve what they can and hand the rest to node's HTTP server.
 */
export abstract class ConnectionFront implements RouterFront, FrontOwner {
  readonly server: net.Server;
  private readonly connections = new Set<QueuedConnection>();
  /** @internal */ stopping = false;

  constructor(/** @internal */ readonly o: FrontSettings) {
    // node's server starts its checks of head and request timeouts when it listens: this one never
    // does (it only gets handed connections), so it is told it does.
    o.fallback.emit('listening');
    this.server = net.createServer((socket) => {
      // Answers go out as written (set on the socket: cluster workers get their connections from the primary).
      socket.setNoDelay(true);
      o.onConnection?.(socket);
      const conn = this.connect(socket);
      if (conn) this.connections.add(conn);
    });
  }

  /** The connection that reads a new socket's requests (undefined: the socket was closed). */
  protected abstract connect(socket: net.Socket): QueuedConnection | undefined;

  /** @internal */
  forget(conn: QueuedConnection): void {
    this.connections.delete(conn);
  }

  /** Closes the connections between requests; the others close after their answer. */
  closeIdle(): void {
    this.stopping = true;
    for (const conn of this.connections) conn.closeIfIdle();
  }

  closeAll(): void {
    for (const conn of this.connections) conn.socket.destroy();
  }
}

/** Parsed requests waiting behind the answer under way (pipelining) before reading stops. */
const maxWaiting = 32;

/**
 * One client connection of a front (the native codec's fast-front.ts, the node codec's
 * public-front.ts), whichever way it reads heads: one answer at a time, pipelined requests queued
 * behind it (reading stops while too many wait), the idle and head deadlines, closing after a last
 * answer, and a hand-off to node's server once the answers before it are out.
 */
export abstract class QueuedConnection implements FrontResponseOwner {
  protected response: FrontResponse | undefined;
  /** Pipelined requests read while an answer was under way, in order. */
  protected waiting: ParsedRequest[] = [];
  /** Reading stopped: too many requests wait. */
  protected stopped = false;
  /** Idle keep-alive, or a head too slow to come: the connection closes. */
  protected readonly deadline = new LazyDeadline(() => this.socket.destroy());
  /** Bytes of a head not finished yet were read. */
  protected midHead = false;
  /** The connection is ending (a last answer went out): further requests are not read. */
  protected ending = false;
  protected done = false;

  constructor(
    protected readonly front: FrontOwner,
    readonly socket: net.Socket,
  ) {}

  /** Starts or stops reading the socket. */
  protected abstract setReading(on: boolean): void;
  /** A request for node's server waits for the answers before it. */
  protected abstract handOffWaiting(): boolean;
  /** Gives the connection to node's server (the answers before it are out). */
  protected abstract handOff(): void;
  /** Stops reading heads here (the connection closed or goes to node's server). */
  protected abstract releaseReader(): void;

  /** Serves a request now, or queues it behind the answer under way. */
  protected accept(request: ParsedRequest): void {
    if (this.response || this.waiting.length > 0) {
      this.waiting.push(request);
      if (this.waiting.length >= maxWaiting) this.stopReading();
    } else this.serve(request);
  }

  private serve(r: ParsedRequest): void {
    this.deadline.disarm();
    const req = new FrontRequest(r.method, r.url, r.headers, this.socket);
    const res = new FrontResponse(this.socket, this, r.method === 'HEAD', !r.keepAlive || this.front.stopping);
    this.response = res;
    this.front.o.handlers.serveProxied(req, res, r.ctx, r.route);
  }

  protected idle(): boolean {
    return !this.response && this.waiting.length === 0;
  }

  /** The answer is out: serve the next request read (or close, if this was the last). */
  responded(res: FrontResponse): void {
    if (res !== this.response) return;
    this.response = undefined;
    // A response begun before the router began stopping was marked as the last by closeIfIdle.
    if (res.closeAfter) {
      this.ending = true;
      this.waiting = [];
      this.socket.end();
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      if (this.stopped && this.waiting.length < maxWaiting / 2) this.startReading();
      this.serve(next);
      return;
    }
    if (this.handOffWaiting()) {
      this.handOff();
      return;
    }
    this.deadline.arm(this.midHead ? this.front.o.headersTimeoutMs : this.front.o.keepAliveMs, false);
  }

  /** Closes the connection now if it is between requests, else after the answer under way (which says so). */
  closeIfIdle(): void {
    if (this.response) this.response.closeAfter = true;
    else if (!this.midHead && !this.handOffWaiting()) this.socket.end();
  }

  protected stopReading(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.setReading(false);
  }

  protected startReading(): void {
    if (!this.stopped || this.done) return;
    this.stopped = false;
    this.setReading(true);
  }

  protected readonly onClose = (): void => {
    this.response?.clientGone();
    this.response = undefined;
    this.waiting = [];
    this.release();
  };

  protected release(): void {
    if (this.done) return;
    this.done = true;
    this.front.forget(this);
    this.deadline.stop();
    this.releaseReader();
  }
}

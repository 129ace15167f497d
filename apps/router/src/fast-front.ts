import type http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { AppRoute } from '@paas/shared';
import { FrontRequest, FrontResponse, type FrontResponseOwner } from './front-exchange.js';
import { LazyDeadline } from './lazy-deadline.js';
import { HTTPParser, httpMethods, type NativeHttpParser, type OnHeadersComplete } from './native-http-parser.js';
import { contextOf, type RequestContext } from './request-context.js';

/** What the fast front needs of the router's request handling (RouterHandlers). */
export interface FrontHandlers {
  /** The app route a plain HTTP request goes to through the proxy, or undefined when anything else applies. */
  proxiedRoute(ctx: RequestContext): AppRoute | undefined;
  serve(req: http.IncomingMessage, res: http.ServerResponse, ctx: RequestContext, route: AppRoute): void;
}

export interface FastFrontOptions {
  handlers: FrontHandlers;
  /** node's HTTP server, not listening: connections it should serve are handed to it. */
  fallback: http.Server;
  maxHeaderBytes: number;
  /** How long an idle keep-alive connection is kept (ms). */
  keepAliveMs: number;
  /** How long a client may take to send a request's head (ms). */
  headersTimeoutMs: number;
  onConnection?: (socket: net.Socket) => void;
}

/** Marks a socket handed to node's server (its 'connection' listeners must not count it twice). */
export const handedOff = Symbol('paas.handedOff');

const kOnHeadersComplete = HTTPParser.kOnHeadersComplete;
const kOnBody = HTTPParser.kOnBody;
const kOnMessageComplete = HTTPParser.kOnMessageComplete;
const kOnHeaders = HTTPParser.kOnHeaders;
const noop = (): void => {};

/**
 * The plain HTTP port's front: most requests a router sees are proxied requests without a body on
 * keep-alive HTTP/1.1 connections, and this serves those itself, with node's own parser and no
 * stream or message objects (FrontRequest, FrontResponse) — about half of node's server's cost per
 * request. Everything else — a body, `Expect`, an Upgrade, HTTP/1.0, the router's own endpoints,
 * error pages for unknown hosts, HTTPS redirects, a head node would refuse — hands the connection,
 * from that request on, to node's HTTP server with the bytes read so far, so it is served exactly as
 * before. One request at a time per connection: a pipelined request waits for the answer before it.
 */
export class FastFront {
  readonly server: net.Server;
  private readonly connections = new Set<FrontConnection>();
  /** @internal */ stopping = false;

  constructor(/** @internal */ readonly o: FastFrontOptions) {
    // node's server starts its checks of head and request timeouts when it listens: this one never
    // does (it only gets handed connections), so it is told it does.
    o.fallback.emit('listening');
    this.server = net.createServer((socket) => {
      // Answers go out as written (set on the socket: cluster workers get their connections from the primary).
      socket.setNoDelay(true);
      o.onConnection?.(socket);
      this.connections.add(new FrontConnection(this, socket));
    });
  }

  /** @internal */
  forget(conn: FrontConnection): void {
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

class FrontConnection implements FrontResponseOwner {
  private parser: NativeHttpParser | undefined;
  /** Bytes of the current request so far (all of them: a hand-off replays them to node's server). */
  private pending: Buffer[] = [];
  /** Bytes that came while an answer was under way (a pipelined request). */
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  private response: FrontResponse | undefined;
  /** The request whose head the parser just completed, until it is served or handed off. */
  private next: { plain: boolean; method: string; url: string; headers: string[]; keepAlive: boolean } | undefined;
  private fields: string[] | undefined;
  /** Idle keep-alive, or a head too slow to come: the connection closes. */
  private readonly deadline = new LazyDeadline(() => this.socket.destroy());
  private done = false;

  constructor(
    private readonly front: FastFront,
    readonly socket: net.Socket,
  ) {
    socket.on('data', this.onData);
    socket.on('error', noop);
    socket.on('close', this.onClose);
    this.parser = this.newParser();
    this.deadline.arm(front.o.keepAliveMs, false);
  }

  private newParser(): NativeHttpParser {
    const parser = new HTTPParser();
    parser.initialize(HTTPParser.REQUEST, {}, this.front.o.maxHeaderBytes, 0);
    parser[kOnHeaders] = (fields: string[]) => {
      this.fields = this.fields ? this.fields.concat(fields) : fields;
    };
    parser[kOnHeadersComplete] = this.onHead;
    parser[kOnBody] = noop;
    parser[kOnMessageComplete] = noop;
    return parser;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.response) {
      // A pipelined request: read once this answer is out (with a bound on what waits).
      this.queued.push(chunk);
      if ((this.queuedBytes += chunk.length) > 65_536) this.socket.pause();
      return;
    }
    this.parse(chunk);
  };

  private parse(chunk: Buffer): void {
    this.pending.push(chunk);
    const parser = this.parser!;
    const result = parser.execute(chunk);
    const next = this.next;
    if (typeof result !== 'number') {
      // A head node's server would refuse (too large, malformed): it answers as it always has.
      this.handOff();
      return;
    }
    if (!next) {
      // The head is not complete yet: it has the head timeout from its first bytes.
      if (this.pending.length === 1) this.deadline.arm(this.front.o.headersTimeoutMs, false);
      return;
    }
    this.next = undefined;
    // The parser stopped at the end of the head: what follows belongs to the next request.
    const rest = result < chunk.length ? chunk.subarray(result) : undefined;
    const ctx = next.plain ? contextOf(next.headers, performance.now()) : undefined;
    const bodyless = ctx !== undefined && (ctx.contentLength === undefined || ctx.contentLength === '0') && !ctx.chunked && !ctx.expect;
    const route = bodyless ? this.front.o.handlers.proxiedRoute(ctx) : undefined;
    if (!route) {
      this.handOff();
      return;
    }
    this.pending = [];
    if (rest) {
      this.queued.unshift(rest);
      this.queuedBytes += rest.length;
    }
    this.deadline.disarm();
    const req = new FrontRequest(next.method, next.url, next.headers, this.socket);
    const res = new FrontResponse(this.socket, this, next.method === 'HEAD', !next.keepAlive || this.front.stopping);
    this.response = res;
    this.front.o.handlers.serve(req as unknown as http.IncomingMessage, res as unknown as http.ServerResponse, ctx!, route);
  }

  private readonly onHead: OnHeadersComplete = (major, minor, headers, method, url, _status, _message, upgrade, keepAlive) => {
    const fields = headers ?? this.fields ?? [];
    this.fields = undefined;
    const name = method === undefined ? undefined : httpMethods[method];
    // Anything but plain HTTP/1.1 goes to node's server.
    const plain = major === 1 && minor === 1 && !upgrade && name !== undefined && name !== 'CONNECT';
    this.next = { plain, method: name ?? '', url: url ?? '/', headers: fields, keepAlive };
    // 2: the parser stops after the head, as after an upgrade (a body is left unread); it carries on
    // from there with the next execute().
    return 2;
  };

  /** The answer is out: read the next request (or close, if this was the last). */
  responded(res: FrontResponse): void {
    if (res !== this.response) return;
    this.response = undefined;
    // A response begun before the router began stopping was marked as the last by closeIfIdle.
    if (res.closeAfter) {
      this.socket.end();
      return;
    }
    this.deadline.arm(this.front.o.keepAliveMs, false);
    if (this.queued.length === 0) return;
    this.socket.resume();
    // Pipelined requests, in order, until one is under way (or the connection went to node's server,
    // which then got every byte still queued).
    while (this.queued.length > 0 && !this.response && !this.done) {
      const chunk = this.queued.shift()!;
      this.queuedBytes -= chunk.length;
      this.parse(chunk);
    }
  }

  /** Closes the connection now if it is between requests, else after the answer under way (which says so). */
  closeIfIdle(): void {
    if (this.response) this.response.closeAfter = true;
    else if (this.pending.length === 0) this.socket.end();
  }

  /**
   * Gives the connection to node's HTTP server, from the current request on: it gets the bytes read
   * so far, then reads the socket itself. Its parser is kept off the socket's handle, so it reads
   * through the stream, in order, after the replayed bytes.
   */
  private handOff(): void {
    const bytes = [...this.pending, ...this.queued];
    this.pending = [];
    this.queued = [];
    this.release();
    const socket = this.socket;
    socket.removeListener('data', this.onData);
    socket.removeListener('close', this.onClose);
    (socket as net.Socket & { [handedOff]?: boolean })[handedOff] = true;
    const handle = (socket as unknown as { _handle?: { _consumed?: boolean } })._handle;
    if (handle) handle._consumed = true;
    this.front.o.fallback.emit('connection', socket);
    this.replay(bytes);
    socket.resume();
  }

  private replay(bytes: Buffer[]): void {
    if (bytes.length) this.socket.unshift(bytes.length === 1 ? bytes[0]! : Buffer.concat(bytes));
  }

  private readonly onClose = (): void => {
    this.response?.clientGone();
    this.response = undefined;
    this.release();
  };

  private release(): void {
    if (this.done) return;
    this.done = true;
    this.front.forget(this);
    this.deadline.stop();
    const parser = this.parser;
    this.parser = undefined;
    if (parser) setImmediate(() => parser.close());
  }
}

import type http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { AppRoute } from '@paas/shared';
import { ConnectionFront, QueuedConnection } from './front-connection.js';
import type { FrontOptions } from './http-codec.js';
import { handleOf, setReading, type NativeHttp, type NativeHttpParser, type OnHeadersComplete, type StreamHandle } from './native-http-parser.js';
import type { ProxyRequest, ProxyResponse } from './proxy-messages.js';
import { contextOf, type RequestContext } from './request-context.js';

/** What the fast front needs of the router's request handling (RouterHandlers). */
export interface FrontHandlers {
  /** The app route a plain HTTP request (to `url`) goes to through the proxy, or undefined when anything else applies. */
  proxiedRoute(ctx: RequestContext, url?: string): AppRoute | undefined;
  /** Serves a request through the proxy to `route` (from proxiedRoute). */
  serveProxied(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext, route: AppRoute): void;
}

/** What a front on the plain HTTP port needs, whichever codec reads the heads. */
export interface FrontSettings {
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

export interface FastFrontOptions extends FrontSettings {
  /** node's parser (loaded and checked by the codec). */
  native: NativeHttp;
}

/** A front's settings from the codec's options: node's server's own timeouts apply to the front's connections too. */
export function frontSettings(o: FrontOptions): FrontSettings {
  return {
    handlers: o.handlers,
    fallback: o.server,
    maxHeaderBytes: o.maxHeaderBytes,
    keepAliveMs: o.server.keepAliveTimeout,
    headersTimeoutMs: o.server.headersTimeout,
    onConnection: o.onConnection,
  };
}

/** Marks a socket handed to node's server (its 'connection' listeners must not count it twice). */
export const handedOff = Symbol('paas.handedOff');

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
export class FastFront extends ConnectionFront {
  constructor(/** @internal */ override readonly o: FastFrontOptions) {
    super(o);
  }

  protected connect(socket: net.Socket): FrontConnection | undefined {
    const handle = handleOf(socket);
    if (!handle) {
      socket.destroy();
      return undefined;
    }
    return new FrontConnection(this, socket, handle);
  }
}

/**
 * One client connection. Its parser reads the socket's handle itself (as node's own server does):
 * each read goes from libuv straight into the parser, with no stream event or buffer per read. A
 * request for node's server stops that: the parser gives the handle back, and once the answers
 * before it are out, node's server gets the connection with the request's head (rebuilt from what
 * the parser read: same method, target, version and fields, in order) and every byte after it.
 */
class FrontConnection extends QueuedConnection {
  private parser: NativeHttpParser | undefined;
  private readonly handle: StreamHandle;
  /** A request for node's server, waiting for the answers before it: its head, then the bytes after it. */
  private handOffHead: Buffer | undefined;
  private handOffRest: Buffer[] = [];
  /** A head completed in the read being parsed. */
  private headSeen = false;
  private fields: string[] | undefined;

  constructor(
    protected override readonly front: FastFront,
    socket: net.Socket,
    handle: StreamHandle,
  ) {
    super(front, socket);
    this.handle = handle;
    socket.on('error', noop);
    socket.on('close', this.onClose);
    const P = front.o.native.HTTPParser;
    const parser = new P();
    parser.initialize(P.REQUEST, {}, front.o.maxHeaderBytes, 0);
    parser[P.kOnHeaders] = (fields: string[]) => {
      this.fields = this.fields ? this.fields.concat(fields) : fields;
    };
    parser[P.kOnHeadersComplete] = this.onHead;
    parser[P.kOnBody] = noop;
    parser[P.kOnMessageComplete] = noop;
    parser[P.kOnExecute] = this.onExecute;
    parser.consume(handle);
    this.parser = parser;
    this.deadline.arm(front.o.keepAliveMs, false);
  }

  private readonly onHead: OnHeadersComplete = (major, minor, headers, method, url, _status, _message, upgrade, keepAlive) => {
    const fields = headers ?? this.fields ?? [];
    this.fields = undefined;
    this.headSeen = true;
    this.midHead = false;
    // 2: stop after this head (as after an upgrade): nothing more is parsed here.
    if (this.ending || this.done || this.handOffHead) return 2;
    const name = method === undefined ? undefined : this.front.o.native.methods[method];
    // Anything but plain HTTP/1.1 goes to node's server.
    const plain = major === 1 && minor === 1 && !upgrade && name !== undefined && name !== 'CONNECT';
    const ctx = plain ? contextOf(fields, performance.now()) : undefined;
    const bodyless = ctx !== undefined && (ctx.contentLength === undefined || ctx.contentLength === '0') && !ctx.chunked && !ctx.expect;
    const route = bodyless ? this.front.o.handlers.proxiedRoute(ctx, url) : undefined;
    if (!route) {
      this.handOffHead = rebuiltHead(name ?? '', url ?? '/', major, minor, fields);
      return 2;
    }
    this.accept({ method: name!, url: url ?? '/', headers: fields, keepAlive, ctx: ctx!, route });
    // No body: the parser goes on with whatever follows (a pipelined request).
    return 0;
  };

  /** After each read's parse: a malformed request, a hand-off, or a head still coming. */
  private readonly onExecute = (result: number | Error): void => {
    const headSeen = this.headSeen;
    this.headSeen = false;
    if (this.done) return;
    if (typeof result !== 'number') {
      this.malformed(result);
      return;
    }
    if (this.handOffHead && this.parser) {
      // The parser stopped at the end of that head: the rest of this read belongs to node's server,
      // and so does everything read from now on (the socket's stream keeps it).
      const current = this.parser.getCurrentBuffer();
      if (result < current.length) this.handOffRest.push(current.subarray(result));
      this.giveBackHandle();
      if (this.idle()) this.handOff();
      return;
    }
    if (!headSeen && !this.response && this.waiting.length === 0 && !this.midHead) {
      // The first bytes of a head: it has the head timeout from now.
      this.midHead = true;
      this.deadline.arm(this.front.o.headersTimeoutMs, false);
    }
  };

  protected handOffWaiting(): boolean {
    return this.handOffHead !== undefined;
  }

  /** A head node's server would refuse (too large, malformed): it answers as it always has. */
  private malformed(err: Error): void {
    this.release();
    if (!this.idle()) {
      // Answers under way: as node's server does, the connection is cut.
      this.socket.destroy();
      return;
    }
    this.socket.removeListener('close', this.onClose);
    this.front.o.fallback.emit('clientError', err, this.socket);
  }

  protected setReading(on: boolean): void {
    setReading(this.handle, on);
  }

  /** The parser stops reading the handle: the socket's own stream reads (and keeps) what comes next. */
  private giveBackHandle(): void {
    const parser = this.parser;
    if (!parser) return;
    this.parser = undefined;
    parser.unconsume();
    // The stream's reading was started by node before the parser took the handle, and stays started.
    if (this.stopped) this.startReading();
    setImmediate(() => parser.close());
  }

  /**
   * Gives the connection to node's HTTP server, from the waiting request on: it gets that request's
   * head and the bytes read after it, then reads the socket itself. Its parser is kept off the
   * socket's handle, so it reads through the stream, in order, after the replayed bytes.
   */
  protected handOff(): void {
    const bytes = Buffer.concat([this.handOffHead!, ...this.handOffRest]);
    this.handOffHead = undefined;
    this.handOffRest = [];
    this.release();
    const socket = this.socket;
    socket.removeListener('close', this.onClose);
    (socket as net.Socket & { [handedOff]?: boolean })[handedOff] = true;
    this.handle._consumed = true;
    this.front.o.fallback.emit('connection', socket);
    socket.unshift(bytes);
    socket.resume();
  }

  protected releaseReader(): void {
    this.giveBackHandle();
  }
}

/** A request's head as node's server should read it: the request line and the fields as the parser read them. */
function rebuiltHead(method: string, url: string, major: number, minor: number, fields: string[]): Buffer {
  let head = `${method} ${url} HTTP/${major}.${minor}\r\n`;
  for (let i = 0; i < fields.length; i += 2) head += `${fields[i]}: ${fields[i + 1]}\r\n`;
  return Buffer.from(`${head}\r\n`, 'latin1');
}

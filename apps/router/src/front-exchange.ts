import { STATUS_CODES, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { writeChunk } from './chunked-write.js';
import type { ProxyRequest, ProxyResponse } from './proxy-messages.js';

/**
 * A request the fast front (fast-front.ts) serves itself: the part of node's IncomingMessage the
 * proxy, the access line and the error pages read. It never has a body (those go to node's server).
 */
export class FrontRequest implements ProxyRequest {
  readonly httpVersionMajor = 1;
  readonly httpVersionMinor = 1;
  /** The request has no body: it is complete once its head is read. */
  readonly complete = true;
  private parsed: IncomingHttpHeaders | undefined;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly rawHeaders: string[],
    readonly socket: Socket,
  ) {}

  /** Built only when asked for (the error pages read Accept). */
  get headers(): IncomingHttpHeaders {
    if (this.parsed) return this.parsed;
    const h: Record<string, string> = {};
    for (let i = 0; i < this.rawHeaders.length; i += 2) {
      const name = this.rawHeaders[i]!.toLowerCase();
      h[name] = h[name] === undefined ? this.rawHeaders[i + 1]! : `${h[name]}, ${this.rawHeaders[i + 1]}`;
    }
    return (this.parsed = h);
  }

  // No body: no 'data', 'end' or 'error' to hear, nothing to pause.
  on(): this {
    return this;
  }
  once(): this {
    return this;
  }
  off(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
}

/** How the fast front hears that a response is over. */
export interface FrontResponseOwner {
  /** The response was written whole: the connection may read the next request. */
  responded(res: FrontResponse): void;
}

/**
 * The answer to a FrontRequest, written straight to the client's socket: the part of node's
 * ServerResponse the proxy and the error pages use (writeHead, write, end, destroy, 'close' and
 * 'drain'). The head goes out with the first piece of the body; a body of unknown length is sent
 * chunked. 'close' comes once: when the answer is complete, or when the client left before.
 */
export class FrontResponse implements ProxyResponse {
  statusCode = 200;
  headersSent = false;
  writableFinished = false;
  destroyed = false;
  private head = '';
  private chunked = false;
  private noBody: boolean;
  private closeListeners: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly owner: FrontResponseOwner,
    isHead: boolean,
    /** The connection closes after this answer (the client asked, or the front is stopping). */
    public closeAfter: boolean,
  ) {
    this.noBody = isHead;
  }

  /** 'close' only: 'drain' is heard once at a time (`once`), never kept on the connection's socket. */
  on(_event: 'close', listener: () => void): this {
    this.closeListeners.push(listener);
    return this;
  }

  once(event: 'drain', listener: () => void): this {
    this.socket.once(event, listener);
    return this;
  }

  /** Only `connection: close` is ever set before the head (a refused body): the front honours it. */
  setHeader(name: string, value: string): this {
    if (name.toLowerCase() === 'connection' && value.toLowerCase() === 'close') this.closeAfter = true;
    return this;
  }

  writeHead(status: number, reasonOrHeaders?: string | OutgoingHttpHeaders | string[], maybeHeaders?: OutgoingHttpHeaders | string[]): this {
    const reason = typeof reasonOrHeaders === 'string' ? reasonOrHeaders : undefined;
    const headers = typeof reasonOrHeaders === 'string' || reasonOrHeaders === undefined ? maybeHeaders : reasonOrHeaders;
    this.statusCode = status;
    let head = `HTTP/1.1 ${status} ${reason ?? STATUS_CODES[status] ?? ''}\r\n`;
    let length = false;
    if (Array.isArray(headers)) {
      for (let i = 0; i < headers.length; i += 2) {
        const name = headers[i]!;
        if (name.length === 14 && name.toLowerCase() === 'content-length') length = true;
        head += `${name}: ${headers[i + 1]}\r\n`;
      }
    } else if (headers) {
      for (const name in headers) {
        if (name.toLowerCase() === 'content-length') length = true;
        head += `${name}: ${String(headers[name])}\r\n`;
      }
    }
    if (status === 204 || status === 304 || status < 200) this.noBody = true;
    else if (!length && !this.noBody) {
      this.chunked = true;
      head += 'transfer-encoding: chunked\r\n';
    }
    this.head = head + (this.closeAfter ? 'connection: close\r\n\r\n' : '\r\n');
    this.headersSent = true;
    return this;
  }

  write(chunk: Buffer): boolean {
    if (this.destroyed || this.writableFinished) return false;
    if (!this.headersSent) this.writeHead(this.statusCode);
    const socket = this.socket;
    if (this.noBody || chunk.length === 0) return this.flushHead();
    if (!this.chunked) {
      if (this.head) {
        socket.write(this.head, 'latin1');
        this.head = '';
      }
      return socket.write(chunk);
    }
    const ok = writeChunk(socket, chunk, this.head);
    this.head = '';
    return ok;
  }

  /** A string body is latin1 (bytes as they came: see ProxyResponse.end). */
  end(body?: Buffer | string): void {
    if (this.destroyed || this.writableFinished) return;
    if (!this.headersSent) this.writeHead(this.statusCode);
    const socket = this.socket;
    const chunk = typeof body === 'string' && (this.chunked || !this.head || body.length > 2048) ? Buffer.from(body, 'latin1') : body;
    if (typeof chunk === 'string') {
      if (this.noBody) this.flushHead();
      else socket.write(this.head + chunk, 'latin1');
    } else if (chunk && chunk.length > 0 && !this.noBody) {
      if (this.chunked) {
        this.write(chunk);
        socket.write('0\r\n\r\n', 'latin1');
      } else if (this.head) {
        // The usual answer: head and body in one write (a small body joins the head as a string).
        if (chunk.length <= 2048) socket.write(this.head + chunk.toString('latin1'), 'latin1');
        else {
          socket.cork();
          socket.write(this.head, 'latin1');
          socket.write(chunk);
          socket.uncork();
        }
      } else socket.write(chunk);
    } else if (this.chunked) socket.write(`${this.head}0\r\n\r\n`, 'latin1');
    else this.flushHead();
    this.head = '';
    this.writableFinished = true;
    this.emitClose();
    this.owner.responded(this);
  }

  /** Cuts the answer: the client's connection closes. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.socket.destroy();
    this.emitClose();
  }

  /** The client's connection closed before the answer was complete. @internal */
  clientGone(): void {
    this.destroyed = true;
    this.emitClose();
  }

  private flushHead(): boolean {
    if (!this.head) return true;
    const ok = this.socket.write(this.head, 'latin1');
    this.head = '';
    return ok;
  }

  private emitClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners) listener();
    this.closeListeners = [];
  }
}

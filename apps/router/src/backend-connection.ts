import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { codedError, type BackendClientOptions, type BackendControl, type BackendHandler, type BackendRequest } from './backend-client.js';
import { writeChunk } from './chunked-write.js';
import { LazyDeadline } from './lazy-deadline.js';
import type { ResponseReader, ResponseReaderFactory, ResponseSink } from './response-reader.js';
import { connectTimeoutError } from './retry-policy.js';

/** What a connection needs of the client that owns it (BackendClient). */
export interface ConnectionPool {
  readonly host: string;
  readonly port: number;
  readonly o: BackendClientOptions;
  /** Reads the responses off a connection's socket (the codec's). */
  readonly reader: ResponseReaderFactory;
  /** Sends the request on an idle connection, or on a new one (`fresh`: always a new one). */
  send(exchange: Exchange, fresh?: boolean): void;
  /** Takes back a connection whose response is complete. */
  release(conn: BackendConnection): void;
  /** Forgets a connection that closed. */
  forget(conn: BackendConnection): void;
}

const enum Phase {
  Connecting,
  /** The request (or its head, while its body streams) is out; no response yet. */
  Waiting,
  /** The response is coming in. */
  Receiving,
  Idle,
}

/** One request's passage over a connection (or two, when a stale connection made it go again). */
export class Exchange implements BackendControl {
  done = false;
  /** The final response's head has come. */
  answered = false;
  /** Every byte of the body was written (or there is none). */
  bodyDone: boolean;
  sent = 0;
  keepAlive = false;
  /** A 1xx answer is being skipped. */
  interim = false;
  /** It went once on a reused connection the backend had closed. */
  retried = false;
  conn: BackendConnection | undefined;
  readonly isHead: boolean;

  constructor(
    readonly request: BackendRequest,
    readonly handler: BackendHandler,
  ) {
    this.bodyDone = request.body === null;
    this.isHead = request.method === 'HEAD';
  }

  abort(err?: Error): void {
    if (this.done) return;
    if (this.conn) this.conn.fail(err ?? new Error('aborted'));
    else {
      this.done = true;
      this.handler.onError(err ?? new Error('aborted'));
    }
  }

  resume(): void {
    if (!this.done) this.conn?.resume();
  }
}

export class BackendConnection implements ResponseSink {
  readonly socket: net.Socket;
  private readonly reader: ResponseReader;
  private exchange: Exchange | undefined;
  private phase = Phase.Connecting;
  /** Responses completed on it: more than none means a reused connection. */
  private served = 0;
  idleSince = 0;
  private dead = false;
  private socketError: Error | undefined;
  /** The phase's deadline: connect, first byte, idle. */
  private readonly deadline = new LazyDeadline(() => this.expired());
  /** Reading was stopped for backpressure (the client is slower than the backend). */
  private paused = false;

  constructor(
    private readonly client: ConnectionPool,
    first: Exchange,
    private readonly openedAt: number,
  ) {
    this.exchange = first;
    first.conn = this;
    const socket = net.connect({ host: client.host, port: client.port, noDelay: true });
    this.socket = socket;
    this.reader = client.reader(socket, this);
    socket.on('connect', () => this.onConnect());
    socket.on('drain', () => this.onDrain());
    socket.on('error', (err) => {
      this.socketError ??= err;
    });
    socket.on('close', () => this.onClose());
    this.deadline.arm(client.o.connectTimeoutMs);
  }

  usable(): boolean {
    return !this.dead && this.socket.writable && !this.socket.destroyed;
  }

  private onConnect(): void {
    const exchange = this.exchange;
    if (!exchange) return;
    this.start(exchange, performance.now() - this.openedAt);
  }

  /** Writes the request (its head now, its body as the client sends it). */
  start(exchange: Exchange, connectMs: number): void {
    this.exchange = exchange;
    exchange.conn = this;
    this.phase = Phase.Waiting;
    this.deadline.disarm();
    exchange.handler.onConnect(exchange, connectMs);
    if (exchange.done) return;
    const { method, path, headers, body, chunked } = exchange.request;
    let head = `${method} ${path} HTTP/1.1\r\n`;
    for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
    head += chunked && body ? 'transfer-encoding: chunked\r\n\r\n' : '\r\n';
    this.socket.write(head, 'latin1');
    if (!body) {
      this.deadline.arm(this.client.o.headersTimeoutMs);
      return;
    }
    body.on('data', this.onBodyData);
    body.once('end', this.onBodyEnd);
    body.resume(); // a body paused by an earlier attempt does not flow again by itself
  }

  private readonly onBodyData = (chunk: Buffer): void => {
    const exchange = this.exchange;
    if (!exchange || exchange.done || chunk.length === 0) return;
    exchange.sent += chunk.length;
    exchange.handler.onBodySent(chunk.length);
    if (exchange.done) return; // the handler aborted (the body went over its limit)
    const ok = exchange.request.chunked ? writeChunk(this.socket, chunk) : this.socket.write(chunk);
    if (!ok) exchange.request.body!.pause();
  };

  private readonly onBodyEnd = (): void => {
    const exchange = this.exchange;
    if (!exchange || exchange.done) return;
    this.detachBody(exchange);
    exchange.bodyDone = true;
    if (exchange.request.chunked) this.socket.write('0\r\n\r\n', 'latin1');
    // The first-byte timeout runs from the end of the request.
    if (this.phase === Phase.Waiting) this.deadline.arm(this.client.o.headersTimeoutMs);
  };

  private onDrain(): void {
    const exchange = this.exchange;
    if (exchange && !exchange.bodyDone && !exchange.done) exchange.request.body!.resume();
  }

  private detachBody(exchange: Exchange): void {
    const body = exchange.request.body;
    if (!body) return;
    body.off('data', this.onBodyData);
    body.off('end', this.onBodyEnd);
    body.pause(); // what is left stays for a retry, or is never read
  }

  onParseError(result: Error): void {
    if (this.dead) return;
    const reason = (result as Error & { reason?: string }).reason ?? result.message;
    this.fail(codedError(`the backend sent an invalid response: ${reason}`, (result as NodeJS.ErrnoException).code ?? 'PAAS_BAD_RESPONSE'));
  }

  /** Stops reading the backend until `resume` (the client is not keeping up). */
  pause(): void {
    if (this.paused || this.dead) return;
    this.paused = true;
    this.reader.pause();
  }

  resume(): void {
    if (!this.paused || this.dead) return;
    this.paused = false;
    this.reader.resume();
  }

  onHead(statusCode: number, statusMessage: string, fields: string[], upgrade: boolean, shouldKeepAlive: boolean): boolean {
    const exchange = this.exchange;
    if (!exchange || exchange.done) {
      if (!exchange) this.fail(codedError('the backend answered a request it was not sent', 'PAAS_BAD_RESPONSE'));
      return true;
    }
    if (statusCode === 101 || upgrade) {
      this.fail(codedError('the backend switched protocols on a plain request', 'PAAS_UNEXPECTED_UPGRADE'));
      return true;
    }
    if (statusCode < 200) {
      exchange.interim = true;
      return true;
    }
    exchange.answered = true;
    exchange.keepAlive = shouldKeepAlive;
    this.phase = Phase.Receiving;
    this.deadline.disarm();
    if (!exchange.handler.onHeaders(statusCode, fields, statusMessage) && !exchange.done) this.pause();
    return exchange.isHead;
  }

  onBody(chunk: Buffer): void {
    const exchange = this.exchange;
    if (!exchange || exchange.done) return;
    if (!exchange.handler.onData(chunk) && !exchange.done) this.pause();
  }

  onComplete(): void {
    const exchange = this.exchange;
    if (!exchange || exchange.done) return;
    if (exchange.interim) {
      exchange.interim = false;
      return;
    }
    exchange.done = true;
    this.exchange = undefined;
    this.served++;
    const reusable = exchange.keepAlive && exchange.bodyDone;
    if (!exchange.bodyDone) this.detachBody(exchange); // answered before the body was all sent: not reusable
    this.resume();
    if (reusable) {
      this.phase = Phase.Idle;
      this.idleSince = performance.now();
      // Not rescheduled for this: `send` checks the idle time before reusing a connection.
      this.deadline.arm(this.client.o.idleMs, false);
      this.client.release(this);
    } else this.destroy();
    exchange.handler.onComplete();
  }

  private onClose(): void {
    const exchange = this.exchange;
    // A body delimited by the end of the connection is complete now.
    if (!this.dead && exchange && exchange.answered && !exchange.done) {
      // An Error here means the body was cut short: reported below as the connection closing mid-response.
      this.reader.finish();
    }
    this.destroy();
    if (!exchange || exchange.done) return;
    const stale = this.served > 0 && !exchange.answered && exchange.sent === 0 && !exchange.retried;
    if (stale) {
      // A kept-alive connection the backend closed as the request went: nothing reached the app.
      this.exchange = undefined;
      exchange.retried = true;
      this.detachBody(exchange);
      this.client.send(exchange, true);
      return;
    }
    const err =
      this.phase === Phase.Connecting
        ? (this.socketError ?? codedError('the backend closed the connection while it was being opened', 'ECONNRESET'))
        : this.socketError && (this.socketError as NodeJS.ErrnoException).code
          ? this.socketError
          : codedError(`the backend closed the connection ${exchange.answered ? 'in the middle of its response' : 'before answering'}`, 'ECONNRESET');
    this.finish(exchange, err);
  }

  /** Ends the connection with an error for the request on it (if any). */
  fail(err: Error): void {
    const exchange = this.exchange;
    this.destroy();
    if (exchange && !exchange.done) this.finish(exchange, err);
  }

  private finish(exchange: Exchange, err: Error): void {
    exchange.done = true;
    this.exchange = undefined;
    this.detachBody(exchange);
    exchange.handler.onError(err);
  }

  /** Closes the socket; the reader is freed once the socket has closed (never inside its own callback). */
  destroy(): void {
    if (!this.dead) {
      this.dead = true;
      this.client.forget(this);
      this.deadline.stop();
      this.socket.destroy();
      setImmediate(() => {
        this.reader.close();
      });
    }
  }

  /** The phase's deadline passed. */
  private expired(): void {
    switch (this.phase) {
      case Phase.Connecting:
        this.fail(connectTimeoutError(this.client.o.connectTimeoutMs));
        break;
      case Phase.Waiting:
        this.fail(codedError(`the backend did not start its response within ${this.client.o.headersTimeoutMs} ms`, 'PAAS_HEADERS_TIMEOUT'));
        break;
      case Phase.Idle:
        this.destroy();
        break;
      default:
        break;
    }
  }
}

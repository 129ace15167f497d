import http from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { codedError, type BackendClient, type BackendClientOptions, type BackendControl, type BackendHandler, type BackendRequest } from './backend-client.js';
import { connectTimeoutError } from './retry-policy.js';

/** A keep-alive agent that keeps no connection once its client is closing (draining). */
class DrainingAgent extends http.Agent {
  draining = false;

  override keepSocketAlive(socket: Socket): boolean {
    // node's returns whether the socket may be kept (its typings say void).
    return !this.draining && (super.keepSocketAlive(socket) as unknown as boolean);
  }
}

/**
 * The node codec's backend client (http-codec.ts): node's http client on public APIs only, with a
 * keep-alive agent per backend address (the most recently used idle connection first; one closes
 * after `idleMs` idle, or sooner when the backend's Keep-Alive hint says so). Same contract as the
 * native client (BackendClient): the body is read only once a connection is open, a stale reused
 * connection is retried once on a new one, and the deadlines and error codes are the same.
 */
export class NodeBackendClient implements BackendClient {
  /** @internal */ readonly agent: DrainingAgent;
  /** @internal Requests under way (destroy() fails them). */
  readonly live = new Set<NodeExchange>();
  private readonly sockets = new Set<Socket>();
  private closing = false;
  private destroyed = false;

  constructor(
    /** @internal */ readonly host: string,
    /** @internal */ readonly port: number,
    /** @internal */ readonly o: BackendClientOptions,
  ) {
    this.agent = new DrainingAgent({ keepAlive: true, scheduling: 'lifo', timeout: o.idleMs });
  }

  get closed(): boolean {
    return this.closing || this.destroyed;
  }

  get connections(): number {
    return this.sockets.size;
  }

  dispatch(request: BackendRequest, handler: BackendHandler): void {
    if (this.destroyed) {
      handler.onError(codedError('the backend client is closed', 'PAAS_CLIENT_CLOSED'));
      return;
    }
    new NodeExchange(this, request, handler).send();
  }

  /** @internal A connection the agent opened for this client. */
  opened(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** @internal A connection being destroyed: not counted any more. */
  forget(socket: Socket | null): void {
    if (!socket) return;
    this.sockets.delete(socket);
    socket.destroy();
  }

  /** @internal Closes the idle connections (they may all be as stale as one that was). */
  dropIdle(): void {
    for (const list of Object.values(this.agent.freeSockets)) for (const socket of list ?? []) this.forget(socket);
  }

  close(): void {
    this.closing = true;
    this.agent.draining = true;
    this.dropIdle();
  }

  destroy(): void {
    this.destroyed = true;
    this.agent.draining = true;
    for (const exchange of [...this.live]) exchange.abort(codedError('the router is closing the connection', 'PAAS_CLIENT_CLOSED'));
    this.agent.destroy();
  }
}

/** One request's passage (or two, when a stale connection made it go again). */
class NodeExchange implements BackendControl {
  private req: http.ClientRequest | undefined;
  private res: http.IncomingMessage | undefined;
  private timer: NodeJS.Timeout | undefined;
  private done = false;
  private answered = false;
  private bodyDone: boolean;
  private sent = 0;
  private retried = false;
  private startedAt = 0;

  constructor(
    private readonly client: NodeBackendClient,
    private readonly request: BackendRequest,
    private readonly handler: BackendHandler,
  ) {
    this.bodyDone = request.body === null;
  }

  send(): void {
    const { client, request } = this;
    client.live.add(this);
    this.startedAt = performance.now();
    const headers = request.chunked && request.body ? [...request.headers, 'transfer-encoding', 'chunked'] : request.headers;
    let req: http.ClientRequest;
    try {
      req = http.request({ host: client.host, port: client.port, method: request.method, path: request.path, headers, agent: client.agent, setHost: false });
    } catch (err) {
      // A head node refuses to send (a character it does not allow in a field or the target).
      this.finish(codedError(`the request cannot be sent to the backend: ${(err as Error).message}`, (err as NodeJS.ErrnoException).code ?? 'PAAS_BAD_REQUEST'));
      return;
    }
    this.req = req;
    req.on('socket', (socket: Socket) => this.onSocket(req, socket));
    req.on('response', (res: http.IncomingMessage) => this.onResponse(res));
    req.on('upgrade', (_res: http.IncomingMessage, socket: Socket) => {
      client.forget(socket);
      this.finish(codedError('the backend switched protocols on a plain request', 'PAAS_UNEXPECTED_UPGRADE'));
    });
    req.on('error', (err: Error) => this.onError(req, err));
  }

  private onSocket(req: http.ClientRequest, socket: Socket): void {
    if (this.done || req !== this.req) return;
    if (req.reusedSocket) {
      this.connected(0);
      return;
    }
    this.client.opened(socket);
    if (!socket.connecting) {
      this.connected(performance.now() - this.startedAt);
      return;
    }
    const ms = this.client.o.connectTimeoutMs;
    this.arm(ms, () => this.finish(connectTimeoutError(ms)));
    socket.once('connect', () => {
      if (this.done || req !== this.req) return;
      this.disarm();
      this.connected(performance.now() - this.startedAt);
    });
  }

  /** The connection is open: the request goes out (its head now, its body as the client sends it). */
  private connected(connectMs: number): void {
    this.handler.onConnect(this, connectMs);
    if (this.done) return;
    const body = this.request.body;
    if (!body) {
      this.req!.end();
      this.waitForAnswer();
      return;
    }
    body.on('data', this.onBodyData);
    body.once('end', this.onBodyEnd);
    this.req!.on('drain', this.onDrain);
    body.resume(); // a body paused by an earlier attempt does not flow again by itself
  }

  private readonly onBodyData = (chunk: Buffer): void => {
    if (this.done || chunk.length === 0) return;
    this.sent += chunk.length;
    this.handler.onBodySent(chunk.length);
    if (this.done) return; // the handler aborted (the body went over its limit)
    if (!this.req!.write(chunk)) this.request.body!.pause();
  };

  private readonly onBodyEnd = (): void => {
    if (this.done) return;
    this.detachBody();
    this.bodyDone = true;
    this.req!.end();
    // The first-byte timeout runs from the end of the request.
    if (!this.answered) this.waitForAnswer();
  };

  private readonly onDrain = (): void => {
    if (!this.done && !this.bodyDone) this.request.body!.resume();
  };

  private waitForAnswer(): void {
    const ms = this.client.o.headersTimeoutMs;
    this.arm(ms, () => this.finish(codedError(`the backend did not start its response within ${ms} ms`, 'PAAS_HEADERS_TIMEOUT')));
  }

  /** The final answer's head (node skips 1xx answers). */
  private onResponse(res: http.IncomingMessage): void {
    if (this.done) {
      res.resume();
      return;
    }
    this.disarm();
    this.answered = true;
    this.res = res;
    const go = this.handler.onHeaders(res.statusCode ?? 502, res.rawHeaders, res.statusMessage ?? '');
    if (this.done) return;
    res.on('data', (chunk: Buffer) => {
      if (!this.done && !this.handler.onData(chunk) && !this.done) res.pause();
    });
    res.on('end', () => this.complete());
    res.on('error', noop);
    res.on('close', () => {
      if (!res.complete) this.finish(codedError('the backend closed the connection in the middle of its response', 'ECONNRESET'));
    });
    if (!go) res.pause();
  }

  private complete(): void {
    if (this.done) return;
    this.done = true;
    this.client.live.delete(this);
    if (!this.bodyDone) {
      // Answered before the body was all sent: the connection is not reusable.
      this.detachBody();
      this.client.forget(this.req!.socket);
    }
    this.handler.onComplete();
  }

  private onError(req: http.ClientRequest, err: Error): void {
    if (this.done || req !== this.req) return;
    const code = (err as NodeJS.ErrnoException).code;
    if (req.reusedSocket && !this.answered && this.sent === 0 && !this.retried && (code === 'ECONNRESET' || code === 'EPIPE')) {
      // A kept-alive connection the backend closed as the request went: nothing reached the app.
      this.retried = true;
      this.disarm();
      this.detachBody();
      this.client.dropIdle();
      this.send();
      return;
    }
    if (code?.startsWith('HPE_')) {
      const reason = (err as Error & { reason?: string }).reason ?? err.message;
      this.finish(codedError(`the backend sent an invalid response: ${reason}`, code));
    } else if (code === 'ECONNRESET' && err.message === 'socket hang up') {
      this.finish(codedError(`the backend closed the connection ${this.answered ? 'in the middle of its response' : 'before answering'}`, 'ECONNRESET'));
    } else this.finish(err);
  }

  abort(err?: Error): void {
    if (!this.done) this.finish(err ?? new Error('aborted'));
  }

  resume(): void {
    if (!this.done) this.res?.resume();
  }

  /** Ends the request with an error; its connection is closed. */
  private finish(err: Error): void {
    this.done = true;
    this.disarm();
    this.detachBody();
    this.client.live.delete(this);
    const req = this.req;
    if (req) {
      this.client.forget(req.socket);
      req.destroy();
    }
    this.handler.onError(err);
  }

  private detachBody(): void {
    const body = this.request.body;
    if (!body) return;
    body.off('data', this.onBodyData);
    body.off('end', this.onBodyEnd);
    this.req?.off('drain', this.onDrain);
    body.pause(); // what is left stays for a retry, or is never read
  }

  private arm(ms: number, onExpire: () => void): void {
    this.disarm();
    this.timer = setTimeout(onExpire, ms).unref();
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function noop(): void {}

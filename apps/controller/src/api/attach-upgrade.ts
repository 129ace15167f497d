/**
 * `paas run`'s transport: `POST /apps/{app}/dynos` with `Connection: Upgrade`, `Upgrade: tcp` or
 * `websocket` and a JSON body `{command, tty?, size?}`, or (through strict WebSocket proxies) a GET
 * with `Upgrade: websocket` and the request in the `Paas-Run` header (@paas/shared attach-handshake.ts). Everything that can be refused (token, policy `app:run`, body,
 * release, placement, the container's start) is answered as a normal JSON error; once the one-off
 * runs, the answer is `101 Switching Protocols` (header `Paas-Process: run.N`) and the connection
 * carries attach frames (@paas/shared attach-frames.ts) until the exit frame.
 *
 * Node hands upgrade requests to the server's 'upgrade' event, not to express: `mountAttach` keeps
 * the listener with the express app and `serveUpgrades` puts it on the HTTP server.
 */
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import { PassThrough, Writable, type Duplex } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Express } from 'express';
import {
  AppError,
  type Logger,
  FrameDecoder,
  FrameType,
  attachProcessHeader,
  attachUpgradeProtocol,
  attachProtocolOf,
  attachRequestHeader,
  attachSwitchHead,
  attachWebSocketProtocol,
  decodeAttachRequestHeader,
  encodeData,
  encodeFrame,
  exitFrame,
  readResize,
  type Frame,
} from '@paas/shared';
import { oneOffService } from './one-off-services.js';
import type { AttachedOneOff } from '../runtime/one-off.js';
import type { ApiContext } from './context.js';
import { clientIp, loadApp, tokenFrom } from './auth.js';
import { runBody, runDetails } from './routes/dynos-routes.js';
import { checkJsonBody, decodePathSegment } from './request-guard.js';
import { validate } from './validate.js';

type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

const localsKey = 'paas.upgrade';
const maxBody = 64 * 1024;
const path = /^\/apps\/([^/]+)\/dynos\/?$/;

/** Keeps the upgrade listener with the express app (see serveUpgrades). */
export function mountAttach(app: Express, ctx: ApiContext): void {
  app.locals[localsKey] = attachListener(ctx);
}

/**
 * Serves the app's upgrade requests (`paas run`) on `server`. Node hands the socket over without its
 * error handler: one is attached before anything else, so a client that resets (on any path, at any
 * point) costs its connection only. A client that sends nothing for `idleMs` before the answer is cut off.
 */
export function serveUpgrades(server: Server, app: Express, log?: Logger, idleMs = 60_000): void {
  const listener =
    (app.locals[localsKey] as UpgradeListener | undefined) ??
    ((_req: IncomingMessage, socket: Duplex) => refuse(socket, new AppError('not_found', 'no upgrades here')));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err: NodeJS.ErrnoException) => {
      log?.debug({ err: err.message, code: err.code }, 'upgrade connection failed');
      socket.destroy();
    });
    guardIdle(socket, idleMs);
    try {
      listener(req, socket, head);
    } catch (err) {
      refuse(socket, err, log);
    }
  });
}

/** Until the answer starts (101 or a refusal), a silent client is cut off after `ms`. */
function guardIdle(socket: Duplex, ms: number): void {
  const s = socket as Duplex & { setTimeout?: (ms: number) => void };
  if (typeof s.setTimeout !== 'function') return;
  s.setTimeout(ms);
  const onTimeout = (): void => {
    if (!answered.has(socket)) socket.destroy();
  };
  socket.on('timeout', onTimeout);
}

/** Sockets whose answer has begun: the idle guard leaves them alone (a one-off may be quiet for hours). */
const answered = new WeakSet<Duplex>();

function refuse(socket: Duplex, err: unknown, log?: ApiContext['log']): void {
  let appErr: AppError;
  if (err instanceof AppError) appErr = err;
  else {
    log?.error({ err }, 'attach failed');
    appErr = new AppError('internal', 'internal error; the platform log has the details');
  }
  const body = JSON.stringify(appErr.toJSON());
  const status = appErr.status;
  answered.add(socket);
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    // Read (and drop) what the client still sends, so its close is seen; a client that never closes is cut off.
    socket.resume();
    setTimeout(() => socket.destroy(), 10_000).unref();
  } else socket.destroy();
}

/** Reads exactly `length` bytes of body from `head` and then the socket; returns the body and what followed. */
function readBody(socket: Duplex, head: Buffer, length: number): Promise<{ body: Buffer; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    // Chunks kept as they come and joined once: linear in the body, however it is split.
    const chunks: Buffer[] = [head];
    let got = head.length;
    const done = (): boolean => {
      if (got < length) return false;
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.pause();
      const all = Buffer.concat(chunks);
      resolve({ body: all.subarray(0, length), rest: all.subarray(length) });
      return true;
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      got += chunk.length;
      done();
    };
    const onEnd = (): void => reject(new AppError('invalid_params', 'the request body ended early'));
    if (done()) return;
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.resume();
  });
}

/** Writes frames to the socket, in order, holding them until the 101 answer is out. */
class FrameSink {
  private open = false;
  private held: Buffer[] = [];

  constructor(private readonly socket: Duplex) {}

  start(head: string): void {
    answered.add(this.socket);
    (this.socket as Duplex & { setTimeout?: (ms: number) => void }).setTimeout?.(0);
    this.socket.write(head);
    this.open = true;
    for (const b of this.held) this.socket.write(b);
    this.held = [];
  }

  /** A stream whose bytes go out as `type` frames, with backpressure. */
  writable(type: typeof FrameType.stdout | typeof FrameType.stderr): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, done) => {
        const frames = encodeData(type, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
        let ok = true;
        for (const f of frames) ok = this.send(f) && ok;
        if (ok || this.socket.destroyed) done();
        else this.socket.once('drain', () => done());
      },
    });
  }

  send(frame: Buffer): boolean {
    if (this.socket.destroyed) return true;
    if (!this.open) {
      this.held.push(frame);
      return true;
    }
    return this.socket.write(frame);
  }
}

function attachListener(ctx: ApiContext): UpgradeListener {
  const oneOffs = oneOffService(ctx);

  const start = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://controller');
    const match = path.exec(url.pathname);
    const protocol = attachProtocolOf(req.headers.upgrade);
    const viaHeader = req.method === 'GET' && protocol === attachWebSocketProtocol;
    if (!match || (req.method !== 'POST' && !viaHeader)) throw new AppError('not_found', `no upgrade at ${req.method} ${url.pathname}`);
    if (protocol === undefined) {
      throw new AppError('invalid_params', `upgrade: only ${attachWebSocketProtocol} and ${attachUpgradeProtocol} are spoken here`);
    }
    const token = tokenFrom(req.headers.authorization);
    if (!token) throw new AppError('unauthorized', 'authentication required: run paas login');
    const user = await ctx.tokens.authenticate(token);
    const app = await loadApp(ctx.pool, user, decodePathSegment(match[1]!), 'app:run');

    let raw: Buffer;
    let rest: Buffer;
    if (viaHeader) {
      // A GET (strict WebSocket proxies): the request rides in the Paas-Run header.
      const header = req.headers[attachRequestHeader];
      const text = typeof header === 'string' && header.length <= maxBody ? decodeAttachRequestHeader(header) : undefined;
      if (text === undefined) throw new AppError('invalid_params', `${attachRequestHeader}: give the run request as base64url JSON (at most ${maxBody / 1024} KiB)`);
      raw = Buffer.from(text, 'utf8');
      rest = head;
    } else {
      const length = Number(req.headers['content-length'] ?? 0);
      if (!Number.isInteger(length) || length <= 0) throw new AppError('invalid_params', 'the request needs a JSON body with the command');
      if (length > maxBody) throw new AppError('invalid_params', 'request body is too large');
      ({ body: raw, rest } = await readBody(socket, head, length));
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new AppError('invalid_params', 'request body is not valid JSON');
    }
    checkJsonBody(json);
    const body = validate(runBody, json);

    const sink = new FrameSink(socket);
    const stdin = new PassThrough();
    const stdout = sink.writable(FrameType.stdout);
    const stderr = sink.writable(FrameType.stderr);
    const gone = new AbortController();
    socket.once('close', () => gone.abort());
    socket.on('error', () => gone.abort());

    const request = { command: body.command, tty: body.tty, ...(body.size ? { size: body.size } : {}), ...(body.needs ? { needs: body.needs } : {}) };
    // The audit event commits with the run's start, or the run is stopped and refused.
    const attached = await oneOffs.runAttached(app, request, { stdin, stdout, stderr, signal: gone.signal }, (tx, process) =>
      ctx.access.audit.record(
        {
          actor: { id: user.id, email: user.email },
          ip: clientIp(req),
          action: 'process.run',
          app: app.name,
          details: runDetails(process, body.command, true, body.tty),
        },
        tx,
      ),
    );
    const key = req.headers['sec-websocket-key'];
    sink.start(attachSwitchHead(protocol, attachProcessHeader, attached.info.name, typeof key === 'string' ? key : undefined));
    pump(socket, rest, stdin, attached, gone);

    let last: Buffer;
    try {
      const code = await attached.exit;
      stdout.end();
      stderr.end();
      await Promise.all([finished(stdout), finished(stderr)]);
      last = exitFrame(code);
    } catch (err) {
      last = encodeFrame(FrameType.error, (err as Error).message);
    }
    sink.send(last);
    socket.end();
  };

  return (req, socket, head) => {
    start(req, socket, head).catch((err: unknown) => refuse(socket, err, ctx.log));
  };
}

/** Client frames: stdin (empty: end of input) and terminal resizes. */
function pump(socket: Duplex, first: Buffer, stdin: PassThrough, attached: AttachedOneOff, gone: AbortController): void {
  const decoder = new FrameDecoder();
  const onFrame = (f: Frame): void => {
    if (f.type === FrameType.stdin) {
      if (f.payload.length === 0) stdin.end();
      else if (!stdin.writableEnded) stdin.write(f.payload);
    } else if (f.type === FrameType.resize) {
      void attached.resize(readResize(f));
    }
  };
  const onData = (chunk: Buffer): void => {
    try {
      for (const f of decoder.push(chunk)) onFrame(f);
    } catch {
      gone.abort(); // not our protocol: stop the process and hang up
      socket.destroy();
    }
  };
  if (first.length) onData(first);
  socket.on('data', onData);
  socket.once('end', () => stdin.end());
  socket.resume();
}

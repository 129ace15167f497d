/**
 * The client side of `paas run`: `GET /apps/{app}/dynos` with `Connection: Upgrade`,
 * `Upgrade: websocket` and the request in the `Paas-Run` header (a POST with a body when it is too
 * large for a header), so proxies that pass WebSocket upgrades carry it (attach-handshake.ts); a refusal is a JSON error like any API call, a 101 turns the connection into attach frames
 * (@paas/shared attach-frames.ts): our stdin and terminal size go up, the process's stdout, stderr
 * and exit code come down.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import {
  FrameDecoder,
  FrameType,
  attachProcessHeader,
  attachRequestHeader,
  attachWebSocketProtocol,
  encodeAttachRequestHeader,
  maxAttachRequestHeaderBytes,
  encodeData,
  encodeFrame,
  readExitCode,
  resizeFrame,
  type Frame,
  type TerminalSize,
} from '@paas/shared';
import { ApiError } from './api-client.js';
import { CliError } from './cli-error.js';
import type { Input } from './io.js';

/** What the process writes to: the CLI's stdout and stderr (Buffers go through unchanged). */
export interface AttachOutput {
  write(chunk: Buffer): unknown;
}

export interface AttachOptions {
  apiUrl: string;
  token: string;
  app: string;
  command: string;
  /** Ask for a terminal (stdin is one): raw mode here, a pty there. */
  tty: boolean;
  size?: TerminalSize;
  /** A program the command needs (pg:psql): the platform's image of it when the app's has none. */
  needs?: 'psql';
  stdin: Input;
  stdout: AttachOutput;
  stderr: AttachOutput;
  /** Called with the process name (`run.3`) once it runs. */
  onStart?: (name: string) => void;
  /** Registers a listener for terminal size changes; returns its removal. */
  onResize?: (listener: (size: TerminalSize) => void) => () => void;
}

/** Runs the one-off attached; resolves with its exit code. */
export function attach(o: AttachOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${o.apiUrl.replace(/\/+$/, '')}/apps/${encodeURIComponent(o.app)}/dynos`);
    const body = JSON.stringify({ command: o.command, attach: true, tty: o.tty, ...(o.size ? { size: o.size } : {}), ...(o.needs ? { needs: o.needs } : {}) });
    const inHeader = encodeAttachRequestHeader(body);
    const viaHeader = inHeader.length <= maxAttachRequestHeaderBytes;
    const req = (url.protocol === 'https:' ? https : http).request(url, {
      method: viaHeader ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${o.token}`,
        accept: 'application/json',
        connection: 'Upgrade',
        upgrade: attachWebSocketProtocol,
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...(viaHeader
          ? { [attachRequestHeader]: inHeader }
          : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
      },
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const detail = err.code !== undefined && err.code !== 'ECONNREFUSED' ? ` (${err.code})` : '';
      reject(new CliError(`cannot reach the paas API at ${url.origin}${detail}: is the platform up? (npm run up)`, { cause: err }));
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => reject(refusal(res.statusCode ?? 0, text)));
    });
    req.on('upgrade', (res, socket, head) => {
      o.onStart?.(String(res.headers[attachProcessHeader] ?? 'run'));
      session(o, socket, head).then(resolve, reject);
    });
    req.end(viaHeader ? undefined : body);
  });
}

function refusal(status: number, text: string): ApiError {
  try {
    const data = JSON.parse(text) as { id?: unknown; message?: unknown };
    if (typeof data.message === 'string') return new ApiError(status, typeof data.id === 'string' ? data.id : `http_${status}`, data.message);
  } catch {
    // below
  }
  return new ApiError(status, `http_${status}`, `the paas API answered ${status} to paas run`);
}

/** Pumps frames both ways until the exit frame. */
function session(o: AttachOptions, socket: Duplex, head: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const decoder = new FrameDecoder();
    let result: { code: number } | { error: Error } | undefined;
    const send = (frame: Buffer): void => {
      if (!socket.destroyed) socket.write(frame);
    };
    const onInput = (chunk: Buffer | string): void => {
      for (const f of encodeData(FrameType.stdin, typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) send(f);
    };
    const onInputEnd = (): void => send(encodeFrame(FrameType.stdin));
    o.stdin.on('data', onInput);
    o.stdin.once('end', onInputEnd);
    o.stdin.resume();
    const stopResizes = o.onResize?.((size) => send(resizeFrame(size)));

    const onFrame = (f: Frame): void => {
      if (f.type === FrameType.stdout) o.stdout.write(f.payload);
      else if (f.type === FrameType.stderr) o.stderr.write(f.payload);
      else if (f.type === FrameType.exit) result = { code: readExitCode(f) };
      else if (f.type === FrameType.error) result = { error: new CliError(f.payload.toString('utf8')) };
    };
    const onData = (chunk: Buffer): void => {
      try {
        for (const f of decoder.push(chunk)) onFrame(f);
      } catch (err) {
        result = { error: new CliError(`the controller sent something that is not a paas run frame: ${(err as Error).message}`) };
        socket.destroy();
      }
    };
    const finish = (): void => {
      o.stdin.off('data', onInput);
      o.stdin.off('end', onInputEnd);
      o.stdin.pause();
      stopResizes?.();
      if (!socket.destroyed) socket.destroy();
      if (result === undefined) reject(new CliError('the connection to the process was lost before it exited'));
      else if ('error' in result) reject(result.error);
      else resolve(result.code);
    };
    if (head.length) onData(head);
    socket.on('data', onData);
    socket.once('close', finish);
    socket.on('error', () => undefined); // 'close' follows
  });
}

// A client that sends exactly the bytes it is given (a path with bad percent-encoding or a raw NUL, a
// header no well-behaved client would send) and waits, up to a deadline, for the status line.
import net from 'node:net';

export type RawOutcome =
  | { kind: 'answered'; status: number; head: string; body: string; ms: number }
  /** The server closed or reset the connection without a status line. */
  | { kind: 'closed'; ms: number; error: string | undefined }
  /** No status line within the deadline. */
  | { kind: 'hang'; ms: number };

export interface RawRequest {
  method: string;
  /** The request target as sent, byte for byte (latin1). */
  target: string;
  headers: [string, string][];
  body?: Buffer | undefined;
  /** The Connection header (default `close`; `Upgrade` with an Upgrade header asks for an upgrade). */
  connection?: string | undefined;
  /** Reset the connection (RST) once the answer's head is read, instead of closing it. */
  reset?: boolean | undefined;
}

/** The request's bytes: the head in latin1 (so any byte can be written), Content-Length from the body, Connection: close unless told. */
export function encodeRequest(r: RawRequest): Buffer {
  const lines = [`${r.method} ${r.target} HTTP/1.1`, 'Host: 127.0.0.1', `Connection: ${r.connection ?? 'close'}`];
  for (const [k, v] of r.headers) lines.push(`${k}: ${v}`);
  if (r.body !== undefined) lines.push(`Content-Length: ${r.body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return r.body === undefined ? head : Buffer.concat([head, r.body]);
}

/**
 * Sends the bytes and reads the answer's head; for a 5xx the body too (its error id). Any other
 * answer is cut off once its head is read (a log tail would stream for ever).
 */
export function sendRaw(port: number, bytes: Buffer, deadlineMs: number, reset = false): Promise<RawOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let settled = false;
    let status = 0;
    let headEnd = -1;
    const finish = (o: RawOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (reset && !socket.destroyed) socket.resetAndDestroy();
      else socket.destroy();
      resolve(o);
    };
    const answered = (): RawOutcome => ({
      kind: 'answered',
      status,
      head: data.subarray(0, headEnd).toString('latin1'),
      body: data.subarray(headEnd + 4, headEnd + 4 + 4096).toString('utf8'),
      ms: performance.now() - started,
    });
    const timer = setTimeout(() => (headEnd >= 0 ? finish(answered()) : finish({ kind: 'hang', ms: performance.now() - started })), deadlineMs);
    // An error (EPIPE: the server answered a body too large and closed) is followed by 'close'; the answer may still be readable till then.
    let error: string | undefined;
    socket.on('error', (err) => (error = (err as NodeJS.ErrnoException).code ?? err.message));
    socket.on('close', () => (headEnd >= 0 ? finish(answered()) : finish({ kind: 'closed', ms: performance.now() - started, error })));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (headEnd < 0) {
        headEnd = data.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(data.toString('latin1', 0, 20))?.[1] ?? 0);
        if (status < 500) return finish(answered());
      }
      // A 5xx: its body is short JSON; read it until the server closes (Connection: close) or 4 KB.
      if (data.length - headEnd - 4 >= 4096) finish(answered());
    });
    socket.write(bytes);
  });
}

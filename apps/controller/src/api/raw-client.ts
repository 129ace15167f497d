/**
 * A bare TCP client for tests that speak broken HTTP on purpose: it writes what `script` writes
 * (resets, half-closes, dribbles, short bodies) and collects whatever comes back until the server
 * closes the connection.
 */
import net from 'node:net';

export interface RawAnswer {
  /** Everything the server sent, as latin1 text. */
  text: string;
  /** The status of the first answer, if one came. */
  status: number | undefined;
  /** The connection ended in a reset or an error rather than a close. */
  error: string | undefined;
}

export function rawExchange(port: number, script: (socket: net.Socket) => void): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let error: string | undefined;
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ text, status: m ? Number(m[1]) : undefined, error });
    });
    socket.on('connect', () => script(socket));
  });
}

/** Writes `head` and then one byte of `drip` at a time every `everyMs` until the socket closes. */
export function dribble(socket: net.Socket, head: string, drip: string, everyMs: number): void {
  socket.write(head);
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) return clearInterval(timer);
    socket.write(drip[i++ % drip.length]!);
  }, everyMs);
  socket.on('close', () => clearInterval(timer));
}

/** The head of a request with `headers` (CRLF-joined, blank line included). */
export function requestHead(method: string, path: string, headers: Record<string, string | number>): string {
  return `${method} ${path} HTTP/1.1\r\nHost: controller\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

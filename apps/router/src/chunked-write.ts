import type { Socket } from 'node:net';

/**
 * Writes `chunk` to `socket` as one chunk of chunked transfer coding (size line, data, CRLF) in one
 * corked write, after `before` (latin1 text, e.g. a response head not yet sent). Answers
 * `socket.write`'s backpressure signal.
 */
export function writeChunk(socket: Socket, chunk: Buffer, before = ''): boolean {
  socket.cork();
  socket.write(`${before}${chunk.length.toString(16)}\r\n`, 'latin1');
  socket.write(chunk);
  const ok = socket.write('\r\n', 'latin1');
  socket.uncork();
  return ok;
}

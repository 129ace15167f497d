/**
 * A strict reader of the one kind of request head the public front (public-front.ts) serves itself:
 * a well-formed, bodyless HTTP/1.1 request with a Host and a target in origin form. It does not try
 * to understand anything else: whatever is not exactly that — a body (Content-Length but "0",
 * Transfer-Encoding), `Expect`, `Upgrade`, an unusual `Connection`, obs-fold, bare CR or LF, bytes
 * outside visible ASCII, a large head, another version or method — is `'other'`, and the caller hands
 * the bytes, untouched, to node's HTTP server, which answers them as it always has (400, 431, a
 * body, an upgrade). So every hostile or odd head keeps node's own semantics, and this only has to be
 * right about the plain ones.
 */

export interface RequestHead {
  method: string;
  url: string;
  /** Names and values, alternating, as sent (values without surrounding blanks). */
  headers: string[];
  keepAlive: boolean;
  /** Bytes of the head, its closing empty line included. */
  length: number;
}

/** The head is not complete yet (and may still be a plain one). */
export const incomplete = 'incomplete';
/** Not a plain head: node's server must read it. */
export const other = 'other';

export type HeadResult = RequestHead | typeof incomplete | typeof other;

const methods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);
/** Anything but visible ASCII, space, tab, CR and LF. */
const unusualByte = /[^\t\r\n\x20-\x7e]/;
const requestLine = /^([A-Z]{3,7}) (\/[\x21-\x7e]*) HTTP\/1\.1$/;
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

/**
 * Reads the head at `start` in `buf`. A head is plain only when it is shorter than half of
 * `maxHeaderBytes` (node's limit stays node's: a head near it is node's to accept or refuse).
 */
export function parseRequestHead(buf: Buffer, start: number, maxHeaderBytes: number): HeadResult {
  const limit = maxHeaderBytes >> 1;
  const end = buf.indexOf(CRLFCRLF, start);
  if (end < 0) {
    const pending = buf.length - start;
    if (pending >= limit) return other;
    // A bare LF ends lines for some clients: node decides what it means.
    if (buf.indexOf('\n\n', start, 'latin1') >= 0) return other;
    // A head starts with a method (node also skips empty lines before one: it may, here).
    if (pending > 0 && !isUpper(buf[start]!)) return other;
    return incomplete;
  }
  const length = end + 4 - start;
  if (length >= limit) return other;
  const head = buf.toString('latin1', start, end);
  if (unusualByte.test(head)) return other;
  const lines = head.split('\r\n');
  const first = requestLine.exec(lines[0]!);
  if (!first || !methods.has(first[1]!)) return other;
  const headers: string[] = [];
  let keepAlive = true;
  let host = 0;
  let contentLength = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    // No colon, an empty name, obs-fold (a line starting with a blank), a bare CR or LF.
    if (colon <= 0 || line.includes('\n') || line.includes('\r')) return other;
    const name = line.slice(0, colon);
    if (!token.test(name)) return other;
    // Only blanks are left to trim (unusualByte refused the other white space).
    const value = line.slice(colon + 1).trim();
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host' && ++host > 1) return other;
        break;
      case 6:
        if (name.toLowerCase() === 'expect') return other;
        break;
      case 7:
        if (name.toLowerCase() === 'upgrade') return other;
        break;
      case 10: {
        if (name.toLowerCase() !== 'connection') break;
        for (const option of value.split(',')) {
          const o = option.trim().toLowerCase();
          if (o === 'close') keepAlive = false;
          else if (o !== 'keep-alive') return other;
        }
        break;
      }
      case 14:
        if (name.toLowerCase() === 'content-length' && (value !== '0' || ++contentLength > 1)) return other;
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') return other;
        break;
    }
    headers.push(name, value);
  }
  if (host !== 1) return other;
  return { method: first[1]!, url: first[2]!, headers, keepAlive, length };
}

function isUpper(byte: number): boolean {
  return byte >= 0x41 && byte <= 0x5a;
}

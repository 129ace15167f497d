import { maxHeaderSize } from 'node:http';

/** What the parser tells of each response on a connection. */
export interface ResponseEvents {
  /**
   * A response's head. `fields` is the flat `[name, value, …]` list, as received (latin1). Returns
   * true when the response has no body whatever its head says (the answer to a HEAD request).
   */
  onHead(statusCode: number, statusMessage: string, fields: string[], upgrade: boolean, keepAlive: boolean): boolean;
  onBody(chunk: Buffer): void;
  onComplete(): void;
}

const enum State {
  Head,
  /** A body of announced length: `remaining` bytes to go. */
  Length,
  ChunkSize,
  ChunkData,
  /** The CRLF after a chunk's data. */
  ChunkEnd,
  Trailers,
  /** A body delimited by the end of the connection. */
  UntilClose,
  /** After an error: nothing more is parsed. */
  Failed,
}

/** Longest chunk-size line (with extensions) and trailer section accepted. */
const maxChunkLine = 1024;
const tokenRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: visible characters, spaces, tabs and obs-text; no CR, LF or NUL.
const badValueRe = /[\x00-\x08\x0a-\x1f\x7f]/;
const statusRe = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/;

/** `text` from `start`, without leading and trailing spaces and tabs (a loop: no regexp backtracking). */
function trimOws(text: string, start: number): string {
  let from = start;
  let to = text.length;
  while (from < to && (text.charCodeAt(from) === 32 || text.charCodeAt(from) === 9)) from++;
  while (to > from && (text.charCodeAt(to - 1) === 32 || text.charCodeAt(to - 1) === 9)) to--;
  return text.slice(from, to);
}

function parseError(code: string, reason: string): Error {
  return Object.assign(new Error(`Parse Error: ${reason}`), { code, reason });
}

/**
 * An HTTP/1.1 response parser in plain TypeScript, for the node codec's backend connections (it reads
 * `data` events of a public net.Socket). Strict where framing is at stake: a head must end in CRLF
 * CRLF within node's header size limit (`http.maxHeaderSize`), Content-Length must be digits and
 * agree with itself, Content-Length beside Transfer-Encoding is refused (no response smuggling), chunk
 * sizes are hex of bounded length and chunk data ends in CRLF. Every byte is looked at a bounded number
 * of times: linear in the input. Errors carry an `HPE_*` code and a `reason`, as node's parser's do.
 */
export class ResponseParser {
  private state = State.Head;
  /** Bytes of a head (or chunk line, or trailer line) not yet complete, as they came. */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /** The last bytes pending (latin1), where an end that straddles two reads begins. */
  private tail = '';
  /** Bytes of the CRLF after a chunk's data seen so far. */
  private crlf = 0;
  /** Bytes of the trailer section so far. */
  private trailerBytes = 0;
  private remaining = 0;
  private keepAlive = false;

  constructor(
    private readonly events: ResponseEvents,
    private readonly maxHeadBytes = maxHeaderSize,
  ) {}

  /** Parses a read; an Error when the bytes are not a valid response (the connection must close). */
  execute(data: Buffer): Error | undefined {
    let at = 0;
    while (at < data.length) {
      switch (this.state) {
        case State.Head:
        case State.Trailers:
        case State.ChunkSize: {
          const head = this.state === State.Head;
          const taken = this.takeUntil(data, at, head ? '\r\n\r\n' : '\r\n', head ? this.maxHeadBytes : maxChunkLine);
          if (taken instanceof Error) return this.fail(taken);
          if (taken === undefined) return undefined; // the rest is pending
          at = taken.next;
          const err = head ? this.head(taken.text) : this.state === State.ChunkSize ? this.chunkSize(taken.text) : this.trailer(taken.text);
          if (err) return this.fail(err);
          break;
        }
        case State.Length:
        case State.ChunkData: {
          const n = Math.min(this.remaining, data.length - at);
          const chunk = data.subarray(at, at + n);
          at += n;
          this.remaining -= n;
          this.events.onBody(chunk);
          if ((this.state as State) === State.Failed) return undefined; // closed from the callback
          if (this.remaining === 0) {
            if (this.state === State.Length) this.complete();
            else {
              this.state = State.ChunkEnd;
              this.crlf = 0;
            }
          }
          break;
        }
        case State.ChunkEnd: {
          // Exactly CRLF after a chunk's data, byte by byte (it may straddle reads).
          if (data[at] !== (this.crlf === 0 ? 13 : 10)) return this.fail(parseError('HPE_STRICT', 'Expected CRLF after chunk data'));
          at++;
          if (++this.crlf === 2) {
            this.crlf = 0;
            this.state = State.ChunkSize;
          }
          break;
        }
        case State.UntilClose:
          this.events.onBody(at === 0 ? data : data.subarray(at));
          return undefined;
        case State.Failed:
          return undefined;
      }
    }
    return undefined;
  }

  /** The connection ended: completes a body delimited by the close; an Error for a cut response. */
  finish(): Error | undefined {
    if (this.state === State.UntilClose) {
      this.complete();
      return undefined;
    }
    if (this.state === State.Head && this.pendingLength === 0) return undefined;
    if (this.state === State.Failed) return undefined;
    return this.fail(parseError('HPE_INVALID_EOF_STATE', 'Invalid EOF state'));
  }

  /** Stops parsing for good (the connection is closing). */
  close(): void {
    this.state = State.Failed;
    this.pending = [];
  }

  /**
   * The text up to `end` (latin1, without it), joining what was pending: or undefined when `end` is
   * not there yet (what there is stays pending), or an Error past `limit` bytes. Pending bytes are
   * kept as they came and joined once: a head sent a byte at a time costs no more than one sent whole.
   */
  private takeUntil(data: Buffer, at: number, end: string, limit: number): { text: string; next: number } | Error | undefined {
    // Where the end begins, as an index into `data`: below `at` when it began in the pending bytes.
    let found: number | undefined;
    if (this.pendingLength > 0) {
      // An end that straddles the previous read and this one.
      const edge = this.tail + data.toString('latin1', at, Math.min(data.length, at + end.length - 1));
      const i = edge.indexOf(end);
      if (i >= 0) found = at + i - this.tail.length;
    }
    if (found === undefined) {
      const i = data.indexOf(end, at, 'latin1');
      if (i >= 0) found = i;
    }
    if (found === undefined) {
      const rest = data.subarray(at);
      this.pendingLength += rest.length;
      if (this.pendingLength > limit) return this.overflow(limit);
      this.pending.push(Buffer.from(rest));
      this.tail = (this.tail + rest.toString('latin1', Math.max(0, rest.length - end.length + 1))).slice(-(end.length - 1));
      return undefined;
    }
    const length = this.pendingLength + (found - at);
    if (length > limit) return this.overflow(limit);
    let text: string;
    if (this.pendingLength === 0) text = data.toString('latin1', at, found);
    else {
      const joined = Buffer.concat([...this.pending, data.subarray(at, Math.max(at, found))]);
      text = joined.toString('latin1', 0, length);
    }
    this.pending = [];
    this.pendingLength = 0;
    this.tail = '';
    return { text, next: found + end.length };
  }

  private overflow(limit: number): Error {
    return this.state === State.Head ? parseError('HPE_HEADER_OVERFLOW', `Header overflow (over ${limit} bytes)`) : parseError('HPE_INVALID_CHUNK_SIZE', 'Chunk size line or trailers too long');
  }

  private head(text: string): Error | undefined {
    const lines = text.split('\r\n');
    const status = statusRe.exec(lines[0]!);
    if (!status) return parseError('HPE_INVALID_CONSTANT', 'Expected HTTP/');
    const minor = Number(status[1]);
    const statusCode = Number(status[2]);
    const message = status[3] ?? '';
    if (statusCode < 100 || badValueRe.test(message)) return parseError('HPE_INVALID_STATUS', 'Invalid status');
    const fields: string[] = [];
    let length = -1;
    let chunked = false;
    let encoded = false;
    let close = minor === 0;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) return parseError('HPE_INVALID_HEADER_TOKEN', 'Invalid header field');
      const name = line.slice(0, colon);
      if (!tokenRe.test(name)) return parseError('HPE_INVALID_HEADER_TOKEN', 'Invalid header token');
      const value = trimOws(line, colon + 1);
      if (badValueRe.test(value)) return parseError('HPE_INVALID_HEADER_TOKEN', 'Invalid header value char');
      fields.push(name, value);
      switch (name.length === 10 || name.length === 14 || name.length === 17 ? name.toLowerCase() : '') {
        case 'content-length': {
          if (!/^\d{1,15}$/.test(value)) return parseError('HPE_INVALID_CONTENT_LENGTH', 'Invalid character in Content-Length');
          const n = Number(value);
          if (length >= 0 && length !== n) return parseError('HPE_UNEXPECTED_CONTENT_LENGTH', 'Duplicate Content-Length');
          length = n;
          break;
        }
        case 'transfer-encoding': {
          encoded = true;
          const codings = value.toLowerCase().split(',');
          chunked = codings[codings.length - 1]!.trim() === 'chunked';
          break;
        }
        case 'connection': {
          const tokens = value.toLowerCase().split(',').map((t) => t.trim());
          if (tokens.includes('close')) close = true;
          else if (minor === 0 && tokens.includes('keep-alive')) close = false;
          break;
        }
        default:
          break;
      }
    }
    if (encoded && length >= 0) return parseError('HPE_UNEXPECTED_CONTENT_LENGTH', 'Content-Length can\'t be present with Transfer-Encoding');
    const upgrade = statusCode === 101;
    const framed = chunked || length >= 0;
    const noBodyByStatus = statusCode < 200 || statusCode === 204 || statusCode === 304;
    this.keepAlive = !close && (framed || noBodyByStatus);
    const noBody = this.events.onHead(statusCode, message, fields, upgrade, this.keepAlive) || noBodyByStatus;
    if (this.state === State.Failed) return undefined; // closed from the callback
    if (noBody || length === 0) this.complete();
    else if (chunked) this.state = State.ChunkSize;
    else if (length > 0) {
      this.state = State.Length;
      this.remaining = length;
    } else this.state = State.UntilClose;
    return undefined;
  }

  private chunkSize(line: string): Error | undefined {
    const semi = line.indexOf(';');
    const hex = trimOws(semi >= 0 ? line.slice(0, semi) : line, 0);
    if (!/^[0-9A-Fa-f]{1,12}$/.test(hex)) return parseError('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size');
    const size = parseInt(hex, 16);
    if (size === 0) {
      this.state = State.Trailers;
      this.trailerBytes = 0;
    }
    else {
      this.state = State.ChunkData;
      this.remaining = size;
    }
    return undefined;
  }

  /** A line of the trailer section; the empty one ends it (trailers are dropped: the head has gone out). */
  private trailer(line: string): Error | undefined {
    if (line === '') this.complete();
    else if ((this.trailerBytes += line.length + 2) > this.maxHeadBytes) return parseError('HPE_HEADER_OVERFLOW', 'Trailers too long');
    else if (line.indexOf(':') <= 0) return parseError('HPE_INVALID_HEADER_TOKEN', 'Invalid trailer field');
    return undefined;
  }

  private complete(): void {
    this.state = State.Head;
    this.events.onComplete();
  }

  private fail(err: Error): Error {
    this.state = State.Failed;
    this.pending = [];
    return err;
  }
}

/**
 * Turns a process's output (bytes, in chunks that cut lines anywhere) into log lines: split at `\n`,
 * a line longer than `maxBytes` split into pieces (never inside a UTF-8 character), and bytes that
 * are not text escaped, so a 1 MB line or a binary dump becomes bounded, printable lines and the
 * stream keeps going.
 */
export interface SplitLine {
  text: string;
  /** The timestamp of the chunk the line started in. */
  ts: string;
}

/** Logplex keeps lines to 10 KB; 8 KiB pieces stay under it even with a few escapes. */
export const defaultMaxLineBytes = 8192;

export class LineSplitter {
  private parts: Buffer[] = [];
  private pending = 0;
  private pendingTs = '';

  constructor(private readonly maxBytes = defaultMaxLineBytes) {}

  /** Whether part of a line is waiting for its end. */
  get partial(): boolean {
    return this.pending > 0;
  }

  push(chunk: Buffer, ts: string): SplitLine[] {
    const out: SplitLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      if (end > start) this.append(chunk.subarray(start, end), ts, out);
      if (nl < 0) break;
      if (this.pending === 0) this.pendingTs = ts;
      this.emit(out);
      start = nl + 1;
    }
    return out;
  }

  /** The unfinished line, if any, as a line (the process ended without a newline). */
  flush(): SplitLine[] {
    const out: SplitLine[] = [];
    if (this.pending > 0) this.emit(out);
    return out;
  }

  private append(bytes: Buffer, ts: string, out: SplitLine[]): void {
    if (this.pending === 0) this.pendingTs = ts;
    this.parts.push(bytes);
    this.pending += bytes.length;
    while (this.pending > this.maxBytes) {
      const all = Buffer.concat(this.parts);
      const cut = utf8Boundary(all, this.maxBytes);
      out.push({ text: escapeLogText(all.subarray(0, cut)), ts: this.pendingTs });
      this.parts = [all.subarray(cut)];
      this.pending = all.length - cut;
      this.pendingTs = ts;
    }
  }

  private emit(out: SplitLine[]): void {
    const line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
    out.push({ text: escapeLogText(line.subarray(0, end)), ts: this.pendingTs });
    this.parts = [];
    this.pending = 0;
  }
}

/** The largest index ≤ `max` that does not fall inside a UTF-8 character. */
function utf8Boundary(buf: Buffer, max: number): number {
  let cut = Math.min(max, buf.length);
  const floor = Math.max(0, cut - 3);
  while (cut > floor && cut < buf.length && (buf[cut]! & 0xc0) === 0x80) cut--;
  return cut > 0 ? cut : Math.min(max, buf.length);
}

const decoder = new TextDecoder('utf-8', { fatal: true });
// C0 controls but tab and ESC (colours are kept, as Heroku keeps them), DEL, C1 controls.
const controls = /[\x00-\x08\x0a-\x1a\x1c-\x1f\x7f-\x9f]/g;

function hex(code: number): string {
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Bytes as printable text: valid UTF-8 with control characters escaped (`\x00`), invalid bytes as `\xff`. */
export function escapeLogText(bytes: Buffer): string {
  // Most lines are printable ASCII: nothing to decode or escape (a byte loop is far cheaper than both).
  if (isPrintableAscii(bytes)) return bytes.toString('latin1');
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    text = decodeLoosely(bytes);
  }
  return text.replace(controls, (c) => hex(c.charCodeAt(0)));
}

/** Bytes 0x20–0x7e, tab and ESC only. */
function isPrintableAscii(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if ((c < 0x20 && c !== 0x09 && c !== 0x1b) || c > 0x7e) return false;
  }
  return true;
}

/** UTF-8 decoding that keeps invalid bytes visible as `\xNN` (marked so the control pass leaves them). */
function decodeLoosely(bytes: Buffer): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const n = sequenceLength(bytes, i);
    if (n === 0) {
      out += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
      i += 1;
    } else {
      out += bytes.toString('utf8', i, i + n);
      i += n;
    }
  }
  return out;
}

/** The length of the valid UTF-8 sequence at `i`, or 0. */
function sequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number): boolean => i + k < b.length && (b[i + k]! & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const c1 = b[i + 1]!;
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f)) return 0;
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const c1 = b[i + 1]!;
    if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return 0;
    return 4;
  }
  return 0;
}

/**
 * Docker's multiplexed log stream, read incrementally: frames of 8 bytes of header (stream 1 or 2,
 * three zero bytes, big-endian length) then the payload. With `timestamps: true` each payload is one
 * log message, `2026-11-25T17:58:29.484095913Z <content>`; a message without a trailing newline is
 * part of a longer line (the json-file driver cuts lines at 16 KiB) or the end of output.
 */
export interface LogFrame {
  stream: 'stdout' | 'stderr';
  /** Docker's RFC 3339 timestamp with nanoseconds (fixed width, so timestamps compare as strings). */
  ts: string;
  content: Buffer;
}

export class DockerLogFrameParser {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): LogFrame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: LogFrame[] = [];
    let offset = 0;
    while (offset + 8 <= this.buffer.length) {
      const type = this.buffer[offset]!;
      const length = this.buffer.readUInt32BE(offset + 4);
      if (offset + 8 + length > this.buffer.length) break;
      const payload = this.buffer.subarray(offset + 8, offset + 8 + length);
      offset += 8 + length;
      if (type !== 1 && type !== 2) continue; // stdin echo or garbage: not output
      const space = payload.indexOf(0x20);
      const ts = space > 0 && space < 64 ? payload.toString('latin1', 0, space) : '';
      frames.push({ stream: type === 2 ? 'stderr' : 'stdout', ts, content: ts ? payload.subarray(space + 1) : payload });
    }
    this.buffer = offset === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(offset);
    return frames;
  }
}

/** Docker's `since` parameter (whole seconds, inclusive) for a Docker timestamp. */
export function sinceSeconds(ts: string): number {
  const ms = Date.parse(ts);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

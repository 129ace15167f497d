import { StringDecoder } from 'node:string_decoder';
import type { BuildLogWriter, Logger } from '@paas/shared';

/** How many of a step's last lines are kept for its failure message. */
const tailSize = 25;

/** How much of a build's own output (its processes') reaches the user. */
export interface OutputLimits {
  /** A longer line is cut here (UTF-8 bytes), with a mark; the rest of it is dropped. Default 8 KiB. */
  maxLineBytes: number;
  /**
   * Once the build's processes have produced this many bytes (PAAS_BUILD_MAX_OUTPUT_MB), one notice
   * is written and their further output is not streamed; the build goes on. Default 50 MB.
   */
  maxTotalBytes: number;
  /** The same, counted in lines (a flood of empty lines costs Redis entries, not bytes). Default 500,000. */
  maxLines: number;
}

export const defaultOutputLimits: OutputLimits = { maxLineBytes: 8 * 1024, maxTotalBytes: 50 * 1024 * 1024, maxLines: 500_000 };

/**
 * The user's build output, Heroku style: `-----> ` headings, 7-space indented details, and the
 * buildpacks' own output as it streams. Writes keep their order; once closed (the build ended or
 * timed out) further writes are dropped, so nothing follows the stream's end entry. What the build's
 * processes write goes through `stream()` and is bounded by `OutputLimits`: lines cut, and a total
 * past which it is no longer streamed (the platform's own lines still are).
 */
export class BuildOutput {
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private receivedBytes = 0;
  private streamedLines = 0;
  private muted = false;

  constructor(
    private readonly writer: BuildLogWriter,
    private readonly log: Logger,
    readonly limits: OutputLimits = defaultOutputLimits,
  ) {}

  heading(text: string): Promise<void> {
    return this.line(`-----> ${text}`);
  }

  info(text: string): Promise<void> {
    return this.line(`       ${text}`);
  }

  warn(text: string): Promise<void> {
    return this.line(` !     ${text}`);
  }

  line(text: string): Promise<void> {
    return this.enqueue(() => this.writer.line(text));
  }

  /** Several lines in one round trip. */
  lines(text: string): Promise<void> {
    return this.enqueue(() => this.writer.lines(text));
  }

  /** A sink for a process's output: complete lines are written as they arrive; the tail is kept. */
  stream(): OutputStream {
    return new OutputStream(this);
  }

  /** Whether the build's process output is past its limits (no longer streamed). */
  get capped(): boolean {
    return this.muted;
  }

  /**
   * Counts `bytes` of process output received and `lines` about to be streamed; returns whether they
   * may be. The first refusal writes the notice.
   */
  admit(bytes: number, lines: number): boolean {
    this.receivedBytes += bytes;
    if (this.muted) return false;
    const overBytes = this.receivedBytes > this.limits.maxTotalBytes;
    if (!overBytes && this.streamedLines + lines <= this.limits.maxLines) {
      this.streamedLines += lines;
      return true;
    }
    this.muted = true;
    const what = overBytes ? sizeText(this.limits.maxTotalBytes) : `${this.limits.maxLines} lines`;
    void this.warn(`The build's output passed ${what}: the rest of it is not shown (the build goes on).`);
    this.log.warn({ bytes: this.receivedBytes, lines: this.streamedLines }, 'build output capped');
    return false;
  }

  /** Waits until every line so far is written. */
  flush(): Promise<void> {
    return this.queue;
  }

  /** Stops writing; returns once what was queued is written. */
  close(): Promise<void> {
    this.closed = true;
    return this.queue;
  }

  private enqueue(write: () => Promise<void>): Promise<void> {
    if (this.closed) return this.queue;
    this.queue = this.queue.then(write).catch((err: unknown) => {
      this.log.warn({ err }, 'could not write build output');
    });
    return this.queue;
  }
}

/**
 * Splits a byte stream into lines for a BuildOutput, keeping the last ones for error messages. Memory
 * stays bounded whatever arrives: a line past `maxLineBytes` is cut with a mark and the rest of it is
 * skipped without being decoded; past the output's total, lines are only kept for the tail.
 */
export class OutputStream {
  private decoder = new StringDecoder('utf8');
  /** The line so far (at most maxLineBytes, once cut). */
  private partial = '';
  /** The current line was cut (and written): skip to its end. */
  private skipping = false;
  private readonly last: string[] = [];
  private readonly maxLineBytes: number;
  private readonly cutMark: string;

  constructor(private readonly output: BuildOutput) {
    this.maxLineBytes = output.limits.maxLineBytes;
    this.cutMark = ` [line cut at ${sizeText(this.maxLineBytes)}]`;
  }

  write(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (this.skipping && typeof chunk !== 'string') {
      // Skipping the rest of a cut line: find its end in the bytes (a UTF-8 newline is never part of
      // another character), decoding nothing before it.
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        this.output.admit(bytes, 0);
        return;
      }
      this.decoder = new StringDecoder('utf8');
      chunk = chunk.subarray(nl);
    }
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let out = '';
    let lines = 0;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      const cut = this.append(nl === -1 ? text.slice(start) : text.slice(start, nl));
      if (cut !== undefined) {
        out += `${cut}\n`;
        lines++;
      }
      if (nl === -1) break;
      if (this.skipping) this.skipping = false;
      else {
        out += `${this.finishLine(false)}\n`;
        lines++;
      }
      start = nl + 1;
    }
    if (this.output.admit(bytes, lines) && out !== '') void this.output.lines(out);
  }

  /** Writes a last unterminated line, if any; resolves once everything is written. */
  end(): Promise<void> {
    const cut = this.append(this.decoder.end());
    const line = cut ?? (this.partial !== '' ? this.finishLine(false) : undefined);
    this.skipping = false;
    if (line !== undefined && this.output.admit(0, 1)) void this.output.lines(`${line}\n`);
    return this.output.flush();
  }

  /** The last lines seen (at most 25), for a failure message. */
  tail(): string[] {
    return [...this.last];
  }

  /** Adds to the current line; returns it (marked) when this made it too long: it is cut now. */
  private append(piece: string): string | undefined {
    if (this.skipping || piece === '') return undefined;
    // Code units never outnumber UTF-8 bytes: past maxLineBytes units the line is surely too long.
    const room = this.maxLineBytes + 1 - this.partial.length;
    this.partial += piece.length > room ? piece.slice(0, room) : piece;
    if (this.partial.length <= this.maxLineBytes / 3 || Buffer.byteLength(this.partial) <= this.maxLineBytes) return undefined;
    // Cut at maxLineBytes bytes; a character split there is left out (the decoder holds it back).
    this.partial = new StringDecoder('utf8').write(Buffer.from(this.partial).subarray(0, this.maxLineBytes));
    this.skipping = true;
    return this.finishLine(true);
  }

  private finishLine(cut: boolean): string {
    let line = this.partial.endsWith('\r') ? this.partial.slice(0, -1) : this.partial;
    if (cut) line = `${this.partial}${this.cutMark}`;
    this.partial = '';
    this.last.push(line);
    if (this.last.length > tailSize) this.last.shift();
    return line;
  }
}

/** `8 KiB`, `50 MB` (MiB, as PAAS_BUILD_MAX_OUTPUT_MB counts), else bytes. */
function sizeText(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

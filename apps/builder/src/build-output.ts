import { StringDecoder } from 'node:string_decoder';
import type { BuildLogWriter, Logger } from '@paas/shared';

/** How many of a step's last lines are kept for its failure message. */
const tailSize = 25;

/**
 * The user's build output, Heroku style: `-----> ` headings, 7-space indented details, and the
 * buildpacks' own output as it streams. Writes keep their order; once closed (the build ended or
 * timed out) further writes are dropped, so nothing follows the stream's end entry.
 */
export class BuildOutput {
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly writer: BuildLogWriter,
    private readonly log: Logger,
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

/** Splits a byte stream into lines for a BuildOutput, keeping the last ones for error messages. */
export class OutputStream {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private readonly last: string[] = [];

  constructor(private readonly output: BuildOutput) {}

  write(chunk: Buffer | string): void {
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const cut = text.lastIndexOf('\n');
    if (cut === -1) {
      this.partial = text;
      return;
    }
    this.partial = text.slice(cut + 1);
    this.emit(text.slice(0, cut + 1));
  }

  /** Writes a last unterminated line, if any; resolves once everything is written. */
  end(): Promise<void> {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest !== '') this.emit(`${rest}\n`);
    return this.output.flush();
  }

  /** The last lines seen (at most 25), for a failure message. */
  tail(): string[] {
    return [...this.last];
  }

  private emit(text: string): void {
    const lines = text.replace(/\r\n/g, '\n').split('\n').slice(0, -1);
    for (const l of lines) {
      this.last.push(l);
      if (this.last.length > tailSize) this.last.shift();
    }
    void this.output.lines(text);
  }
}

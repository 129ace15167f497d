import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { CliError } from './cli-error.js';
import type { Io } from './io.js';

/**
 * Asks questions on the terminal (prompts go to stderr, so stdout stays clean). Hidden answers are
 * not echoed. One interface serves all questions, so lines typed ahead are not lost.
 */
export class Prompter {
  private readonly rl: Interface;
  private readonly lines: AsyncIterator<string>;
  private muted = false;
  private interrupted = false;

  constructor(private readonly io: Io) {
    const echo = new Writable({
      write: (chunk: Buffer | string, _encoding, callback) => {
        if (!this.muted) io.stderr.write(String(chunk));
        callback();
      },
    });
    this.rl = createInterface({ input: io.stdin, output: echo, terminal: true });
    this.rl.on('SIGINT', () => {
      this.interrupted = true;
      this.rl.close();
    });
    this.lines = this.rl[Symbol.asyncIterator]();
  }

  async ask(question: string, options: { hidden?: boolean } = {}): Promise<string> {
    this.rl.setPrompt(question);
    this.rl.prompt();
    this.muted = options.hidden === true;
    let next: IteratorResult<string>;
    try {
      next = await this.lines.next();
    } finally {
      if (this.muted) {
        // The newline the user typed was not echoed either.
        this.muted = false;
        this.io.stderr.write('\n');
      }
    }
    if (this.interrupted) throw new CliError('interrupted', { exitCode: 130 });
    if (next.done) throw new CliError(`no answer to '${question.trim()}'`);
    return next.value.trim();
  }

  close(): void {
    this.rl.close();
  }
}

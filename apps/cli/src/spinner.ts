import type { Output } from './io.js';

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A spinner after `label... ` for actions slower than `delayMs`, on a terminal only (pipes and files
 * get the plain `label... done` line). Each frame overwrites the last with a backspace; `stop()`
 * erases it, leaving the cursor where `done` belongs.
 */
export class Spinner {
  private timer: NodeJS.Timeout | undefined;
  private shown = false;
  private frame = 0;

  constructor(
    private readonly out: Output,
    private readonly options: { delayMs?: number; intervalMs?: number } = {},
  ) {}

  start(): void {
    if (this.out.isTTY !== true) return;
    this.timer = setTimeout(() => {
      this.tick();
      this.timer = setInterval(() => this.tick(), this.options.intervalMs ?? 100);
    }, this.options.delayMs ?? 1000);
  }

  stop(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.shown) this.out.write('\b \b');
    this.shown = false;
  }

  private tick(): void {
    this.out.write(`${this.shown ? '\b' : ''}${frames[this.frame++ % frames.length]}`);
    this.shown = true;
  }
}

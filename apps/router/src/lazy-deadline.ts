import { performance } from 'node:perf_hooks';

/**
 * A deadline that moves on every request (connect, first byte, idle keep-alive), kept with ONE timer
 * set lazily: when the timer fires early (the deadline moved on meanwhile) it is set again for what
 * is left, so a busy connection costs no timer operation per request. `onExpire` runs once the
 * deadline passes while armed.
 */
export class LazyDeadline {
  private timer: NodeJS.Timeout | undefined;
  /** When the timer fires (performance.now()). */
  private timerAt = 0;
  private deadline = 0;
  private stopped = false;

  constructor(private readonly onExpire: () => void) {}

  /**
   * The deadline is `ms` from now. `precise`: a timer set for later than that is set again (else the
   * deadline may be noticed as late as the timer already set).
   */
  arm(ms: number, precise = true): void {
    if (this.stopped) return;
    const now = performance.now();
    this.deadline = now + ms;
    if (this.timer !== undefined) {
      if (!precise || this.timerAt <= this.deadline + 1) return;
      clearTimeout(this.timer);
    }
    this.set(ms, now);
  }

  /** No deadline until the next `arm` (the timer, if set, fires and does nothing). */
  disarm(): void {
    this.deadline = 0;
  }

  /** For good: the timer is cleared. */
  stop(): void {
    this.stopped = true;
    this.deadline = 0;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private set(ms: number, now: number): void {
    this.timerAt = now + ms;
    this.timer = setTimeout(this.onTimer, ms).unref();
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (this.deadline === 0) return;
    const now = performance.now();
    const left = this.deadline - now;
    if (left > 1) this.set(left, now);
    else this.onExpire();
  };
}

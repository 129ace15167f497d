/** A restartable one-shot timer: the first-byte timeout of a proxied request. */
export class FirstByteTimer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ms: number,
    private readonly onTimeout: () => void,
  ) {}

  /** (Re)starts the countdown. */
  arm(): void {
    this.clear();
    this.timer = setTimeout(this.onTimeout, this.ms);
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

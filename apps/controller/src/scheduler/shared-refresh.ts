/**
 * Shares an expensive read (listing every host) between concurrent callers without serving anyone
 * a stale answer: each call gets the result of a run that began after the call did. Callers that
 * arrive while a run is in flight share the next run, so at most two exist at once however many
 * callers there are.
 */
export class SharedRefresh<T> {
  private current: Promise<T> | undefined;
  private next: Promise<T> | undefined;

  constructor(private readonly run: () => Promise<T>) {}

  get(): Promise<T> {
    if (!this.current) {
      const p = this.run().finally(() => {
        if (this.current === p) this.current = undefined;
      });
      this.current = p;
      return p;
    }
    this.next ??= this.current
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.get();
      });
    return this.next;
  }
}

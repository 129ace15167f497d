/**
 * The cluster primary's view of which route versions its workers serve. A version is acknowledged to
 * the store only once every live worker serves it (or a later one), so a controller that waited for
 * the acknowledgement never has a request answered from an older table by a slower worker. A worker
 * that has not reported yet (starting) holds acknowledgements back; one that exits stops counting.
 */
export class AckAggregator {
  private readonly workers = new Map<number, Map<string, number>>();
  private readonly acked = new Map<string, number>();

  constructor(private readonly ack: (app: string, version: number) => void) {}

  /** A worker was started: it counts from now on (holding back acknowledgements until it reports). */
  join(worker: number): void {
    this.workers.set(worker, new Map());
  }

  /** A worker exited: what waited only for it can be acknowledged now. */
  leave(worker: number): void {
    const versions = this.workers.get(worker);
    if (!this.workers.delete(worker) || !versions) return;
    const apps = new Set<string>();
    for (const w of this.workers.values()) for (const app of w.keys()) apps.add(app);
    for (const app of apps) this.check(app);
  }

  /** A worker serves these versions. */
  applied(worker: number, routes: [app: string, version: number][]): void {
    const versions = this.workers.get(worker);
    if (!versions) return;
    for (const [app, version] of routes) if ((versions.get(app) ?? -1) < version) versions.set(app, version);
    for (const [app] of routes) this.check(app);
  }

  /** A worker dropped these apps' routes. */
  removed(worker: number, apps: string[]): void {
    const versions = this.workers.get(worker);
    if (!versions) return;
    for (const app of apps) versions.delete(app);
    for (const app of apps) {
      if (![...this.workers.values()].some((w) => w.has(app))) this.acked.delete(app);
    }
  }

  private check(app: string): void {
    let min = Infinity;
    for (const versions of this.workers.values()) min = Math.min(min, versions.get(app) ?? -1);
    if (min === Infinity || min < 0 || min <= (this.acked.get(app) ?? -1)) return;
    this.acked.set(app, min);
    this.ack(app, min);
  }
}

import type { AppRoute, Logger, RouteStore } from '@paas/shared';
import { toError, withTimeout } from '@paas/shared';
import type { RouteTable } from './route-table.js';

export interface RouteSyncOptions {
  logger: Logger;
  /** Full resync every this many ms. */
  resyncMs: number;
  /** First retry after a failed sync (doubling each time, never past resyncMs). Default 1000. */
  retryMs?: number;
  /** A store call that takes longer than this counts as failed. Default 10000. */
  storeTimeoutMs?: number;
  /**
   * Told which route versions this table now serves (and which apps it dropped). Default: acknowledge
   * each version to the store. A cluster worker reports to its primary instead, which acknowledges
   * once every worker serves the version.
   */
  reporter?: RouteReporter;
  /** Called after changes were applied to the table (for housekeeping such as closing idle connections). */
  onTableChange?: () => void;
}

export interface RouteReporter {
  applied(routes: AppRoute[]): Promise<void>;
  removed?(apps: string[]): void;
}

/**
 * Keeps a RouteTable in step with a RouteStore, Flynn-style: watch first, then list, diff and apply
 * everything; then apply each change as it is announced (with the route the announcement carries, or
 * read back with `get(app)`: apply or delete). A full resync
 * runs on a timer and repairs whatever a lost announcement missed. On any store error the table keeps
 * what it had (the last good table keeps serving), the error is logged and the sync is retried on the
 * timer. Work is done one step at a time, so a change never races a resync.
 *
 * After applying an app's route the sync acknowledges its version to the store, so the controller
 * knows the route is live.
 *
 * A full list removes the routes it lacks only when it comes with the store's epoch (the id of the
 * whole table the controller wrote): a store that came back empty (Redis restarted) has none, and
 * the table is kept until the controller writes the whole table again, which every router is told of
 * at once (a resync).
 */
export class RouteSync {
  private readonly logger: Logger;
  private readonly resyncMs: number;
  private readonly retryMs: number;
  private readonly storeTimeoutMs: number;

  private stopWatching: (() => Promise<void>) | undefined;
  /** Apps changed since they were last applied, with their route when the announcement carried it (null: removed). */
  private readonly pending = new Map<string, AppRoute | null | undefined>();
  private resyncWanted = false;
  private draining: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;
  private syncedOnce = false;
  /** The store epoch the table was last fully synced with. */
  private epoch: string | undefined;
  private readonly reporter: RouteReporter | undefined;
  private readonly onTableChange: (() => void) | undefined;

  constructor(
    private readonly store: RouteStore,
    private readonly table: RouteTable,
    options: RouteSyncOptions,
  ) {
    this.logger = options.logger;
    this.resyncMs = options.resyncMs;
    this.retryMs = Math.min(options.retryMs ?? 1000, options.resyncMs);
    this.storeTimeoutMs = options.storeTimeoutMs ?? 10_000;
    this.reporter = options.reporter;
    this.onTableChange = options.onTableChange;
  }

  /** True once a full sync has completed: the table then reflects the store (or did, at some point). */
  get synced(): boolean {
    return this.syncedOnce;
  }

  /** Runs the first sync (watch, list, apply) and starts the timer. Never rejects: failures are retried. */
  async start(): Promise<void> {
    await this.resync();
  }

  /** Runs a full resync now (after anything already queued) and resolves when it is done. */
  async resync(): Promise<void> {
    this.resyncWanted = true;
    await this.drain();
  }

  /** Resolves when every queued change has been applied. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.idle();
    await this.unwatch();
  }

  /** The controller wrote a whole table: a full resync now, not at the timer. */
  private onResync = (): void => {
    if (this.stopped) return;
    void this.resync();
  };

  private onChange = (app: string, route?: AppRoute | null): void => {
    if (this.stopped) return;
    // The latest announcement wins; one without the route makes the app's route be read back.
    this.pending.delete(app);
    this.pending.set(app, route);
    void this.drain();
  };

  private drain(): Promise<void> {
    this.draining ??= this.work();
    return this.draining;
  }

  private async work(): Promise<void> {
    await Promise.resolve(); // let drain() store this promise before the loop can end
    try {
      while (!this.stopped && (this.resyncWanted || this.pending.size > 0)) {
        if (this.resyncWanted) {
          this.resyncWanted = false;
          // The full list read below covers every change announced so far.
          this.pending.clear();
          await this.fullSync();
          continue;
        }
        const [next] = this.pending;
        if (next === undefined) break;
        const [app, route] = next;
        this.pending.delete(app);
        // Announced with the change: applied at once (no round trip to the store); else read back.
        if (route !== undefined) await this.applyChange(app, route);
        else await this.syncApp(app);
      }
    } finally {
      // Cleared in the same tick as the loop's last check: a change announced after it starts a new run.
      this.draining = undefined;
    }
  }

  private async fullSync(): Promise<void> {
    try {
      if (!this.stopWatching) {
        this.stopWatching = await this.call(this.store.watch(this.onChange, this.onResync), 'watch', (late) => void late().catch(() => {}));
      }
      const { epoch, routes } = await this.call(this.store.snapshot(), 'list');
      const { applied, removed } = this.applyAll(routes, epoch !== undefined);
      this.failures = 0;
      if (epoch === undefined && this.epoch !== undefined) {
        this.logger.warn({ apps: this.table.size, listed: routes.length }, 'the route store lost its table (no epoch): keeping the routes it lacks');
      }
      this.epoch = epoch;
      if (!this.syncedOnce || applied + removed.length > 0) {
        this.logger.info({ apps: this.table.size, applied, removed: removed.length, epoch }, 'route table synced');
      }
      this.syncedOnce = true;
      if (applied + removed.length > 0) this.onTableChange?.();
      if (removed.length > 0) this.reporter?.removed?.(removed);
      await this.ackAll(routes);
      this.schedule(this.resyncMs);
    } catch (err) {
      this.failed(err, 'route sync failed; serving the last good table');
    }
  }

  private async syncApp(app: string): Promise<void> {
    let route: AppRoute | undefined;
    try {
      route = await this.call(this.store.get(app), 'get');
    } catch (err) {
      // Keep the app's old entry; the retry is a full resync, which also catches this app up.
      this.failed(err, 'route change not applied; serving the last good table', { app });
      return;
    }
    await this.applyChange(app, route ?? null);
  }

  /** Applies an app's route as a change left it (null: removed), then reports or acknowledges it. */
  private async applyChange(app: string, route: AppRoute | null): Promise<void> {
    if (route) {
      if (this.apply(route)) {
        this.logger.info({ app, version: route.version, backends: route.backends.length }, 'route applied');
        this.onTableChange?.();
      }
      await this.ackAll([route]);
    } else if (this.table.delete(app)) {
      this.logger.info({ app }, 'route removed');
      this.onTableChange?.();
      this.reporter?.removed?.([app]);
    }
  }

  /** Diff the store's routes against the table and apply the difference (removals only from a whole table). */
  private applyAll(routes: AppRoute[], whole: boolean): { applied: number; removed: string[] } {
    let applied = 0;
    const removed: string[] = [];
    const seen = new Set<string>();
    for (const route of routes) {
      seen.add(route.app);
      if (this.apply(route)) applied++;
    }
    if (!whole) return { applied, removed };
    for (const app of this.table.apps()) {
      if (!seen.has(app) && this.table.delete(app)) removed.push(app);
    }
    return { applied, removed };
  }

  /** Puts the route in the table unless it is already there; returns whether the table changed. */
  private apply(route: AppRoute): boolean {
    const current = this.table.get(route.app);
    if (current && current.version === route.version && JSON.stringify(current) === JSON.stringify(route)) return false;
    for (const conflict of this.table.set(route)) {
      this.logger.warn({ app: route.app, domain: conflict.domain, apps: conflict.apps }, 'domain claimed by several apps');
    }
    return true;
  }

  /** Acknowledgements are idempotent (the store keeps the highest), so every served version is acked. */
  private async ackAll(routes: AppRoute[]): Promise<void> {
    if (this.reporter) {
      await this.reporter.applied(routes).catch((err: unknown) => this.logger.warn({ err: toError(err) }, 'route report failed'));
      return;
    }
    await Promise.all(routes.map((r) => this.ack(r)));
  }

  private async ack(route: AppRoute): Promise<void> {
    try {
      await this.call(this.store.ack(route.app, route.version), 'ack');
    } catch (err) {
      this.logger.warn({ app: route.app, version: route.version, err: toError(err) }, 'route acknowledgement failed');
    }
  }

  private failed(err: unknown, message: string, fields: Record<string, unknown> = {}): void {
    this.failures++;
    const retryInMs = Math.min(this.resyncMs, this.retryMs * 2 ** (this.failures - 1));
    this.logger.error({ ...fields, err: toError(err), apps: this.table.size, retryInMs }, message);
    this.schedule(retryInMs);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.resync(), ms);
    this.timer.unref();
  }

  private async unwatch(): Promise<void> {
    const stop = this.stopWatching;
    this.stopWatching = undefined;
    if (stop) await stop().catch((err: unknown) => this.logger.warn({ err: toError(err) }, 'stopping the route watch failed'));
  }

  /** A store call bounded in time; `late` receives a result that arrives after the timeout. */
  private call<T>(promise: Promise<T>, what: string, late?: (value: T) => void): Promise<T> {
    let gaveUp = false;
    if (late) promise.then((v) => (gaveUp ? late(v) : undefined), () => {});
    return withTimeout(promise, this.storeTimeoutMs, `route store ${what}`).catch((err: unknown) => {
      gaveUp = true;
      throw err;
    });
  }
}

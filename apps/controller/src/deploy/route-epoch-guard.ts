import type { AppRoute, Logger, RouteSnapshot, RouteStore } from '@paas/shared';
import { toError } from '@paas/shared';

export interface RouteEpochGuardOptions {
  /** The store the routers sync from. */
  store: RouteStore;
  log: Logger;
  /** A full reconcile pass (processes and routes of every app), asked for after the store lost its table. */
  reconcile: () => Promise<void>;
  /**
   * Writes back what else the store held (the certificates, from PostgreSQL) before the routes go
   * back under a new epoch: routers trust a list to remove what it lacks only under an epoch.
   */
  restoreFirst?: () => Promise<unknown>;
  /** How often the store's epoch is looked at (default 1000 ms). */
  intervalMs?: number;
  /** The mirror is read again from the store every this many looks even when the epoch did not change (default 10). */
  refreshEvery?: number;
}

/**
 * Redis keeps nothing on disk: when it comes back empty the routers keep their tables (a list without
 * an epoch removes nothing, see RouteSync), and this guard writes the whole table back at once.
 *
 * It keeps a mirror of the route table: every route this controller publishes or reads, and the
 * store's whole table each time its epoch changes (and every few looks, for the routes another
 * controller published). Every second it looks at the epoch; when it is gone it writes the mirror
 * under a new epoch in one step (routers resync at once), then asks for a reconcile pass, which
 * corrects what the mirror had stale. A controller that starts on an empty store has no mirror to
 * trust: it writes the epoch after its first reconcile pass in which every app was reconciled.
 *
 * Wrap the store with `mirrored()` and give that to the RoutePublisher.
 */
export class RouteEpochGuard {
  private readonly known = new Map<string, AppRoute>();
  /** The mirror holds the whole table (read under an epoch, or written by a complete reconcile pass). */
  private trusted = false;
  private seen: string | undefined;
  private looks = 0;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private reconciling = false;

  constructor(private readonly o: RouteEpochGuardOptions) {}

  /** The store, recording in the mirror every route set, read or removed through it. */
  mirrored(): RouteStore {
    const inner = this.o.store;
    const known = this.known;
    return {
      list: async () => {
        const routes = await inner.list();
        for (const r of routes) known.set(r.app, r);
        return routes;
      },
      get: async (app) => {
        const r = await inner.get(app);
        if (r) known.set(app, r);
        return r;
      },
      set: async (route) => {
        await inner.set(route);
        known.set(route.app, route);
      },
      remove: async (app) => {
        await inner.remove(app);
        known.delete(app);
      },
      watch: (onChange, onResync) => inner.watch(onChange, onResync),
      snapshot: () => inner.snapshot(),
      epoch: () => inner.epoch(),
      replaceAll: (routes, opts) => inner.replaceAll(routes, opts),
      ack: (app, version) => inner.ack(app, version),
      waitForAck: (app, version, timeoutMs) => inner.waitForAck(app, version, timeoutMs),
      listCerts: () => inner.listCerts(),
      getCert: (id) => inner.getCert(id),
      setCert: (cert) => inner.setCert(cert),
      removeCert: (id) => inner.removeCert(id),
      watchCerts: (onChange) => inner.watchCerts(onChange),
    };
  }

  start(): void {
    const tick = (): void => {
      void this.check().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.o.intervalMs ?? 1000);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.checking;
  }

  /** One look at the epoch (at once, e.g. when the Redis connection is ready again). Never rejects. */
  check(): Promise<void> {
    this.checking ??= this.look()
      .catch((err: unknown) => this.o.log.debug({ err: toError(err) }, 'could not look at the route store epoch'))
      .finally(() => (this.checking = undefined));
    return this.checking;
  }

  /**
   * After a reconcile pass: `complete` when every app was reconciled, so every app's route went
   * through the mirror. A store without an epoch is then given the whole table.
   */
  async passed(complete: boolean): Promise<void> {
    if (!complete) return;
    // An app whose pass was skipped (its deploy holds its lock) published through the store, if at all.
    for (const r of await this.o.store.list()) if (!this.known.has(r.app)) this.known.set(r.app, r);
    this.trusted = true;
    if ((await this.o.store.epoch()) === undefined) await this.republish('the first complete reconcile pass');
  }

  private async look(): Promise<void> {
    const epoch = await this.o.store.epoch();
    this.looks++;
    if (epoch !== undefined) {
      if (epoch !== this.seen || this.looks % (this.o.refreshEvery ?? 10) === 0) this.load(await this.o.store.snapshot());
      return;
    }
    // Without a trusted mirror (this controller started on an empty store) the reconcile's first
    // complete pass writes the table (passed()).
    if (!this.trusted) return;
    await this.republish('the route store lost its table');
    this.reconcileSoon();
  }

  private load(snap: RouteSnapshot): void {
    if (snap.epoch === undefined) return;
    this.known.clear();
    for (const r of snap.routes) this.known.set(r.app, r);
    this.seen = snap.epoch;
    this.trusted = true;
  }

  private async republish(why: string): Promise<void> {
    // Routes matter most: a store that cannot be restored first (PostgreSQL down) still gets them.
    await this.o.restoreFirst?.().catch((err: unknown) => this.o.log.warn({ err: toError(err) }, 'could not write the certificates back before the routes'));
    const routes = [...this.known.values()];
    const epoch = await this.o.store.replaceAll(routes, { onlyIfNoEpoch: true });
    if (epoch === undefined) return; // another controller wrote it first
    this.seen = epoch;
    this.o.log.warn({ routes: routes.length, epoch, why }, 'wrote the whole route table again');
  }

  private reconcileSoon(): void {
    if (this.reconciling) return;
    this.reconciling = true;
    this.o
      .reconcile()
      .catch((err: unknown) => this.o.log.warn({ err: toError(err) }, 'reconcile after the route store lost its table failed'))
      .finally(() => (this.reconciling = false));
  }
}

import type pg from 'pg';
import type { EgressGuard, Logger } from '@paas/shared';
import { listAllLogDrains } from '../db/log-drains.js';
import type { DrainStateStore } from './drain-state.js';
import { transportFor, type DrainTransport } from './drain-transports.js';
import { parseDrainUrl } from './drain-url.js';
import { DrainWorker } from './drain-worker.js';
import type { LogStore } from './log-store.js';
import type { PlatformEvents } from './platform-events.js';

export interface DrainManagerOptions {
  pool: pg.Pool;
  store: LogStore;
  state: DrainStateStore;
  events: PlatformEvents;
  log: Logger;
  /** Extra CA certificates drains are trusted with (PAAS_DRAIN_CA_FILE). */
  ca?: Buffer | undefined;
  /** Checks every address a drain connects to. */
  guard: EgressGuard;
  maxLag: number;
  /** How often the drain table is read again (drains added on another controller show up within it). */
  syncMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  makeTransport?: typeof transportFor;
  onDelivered?: (n: number) => void;
  onDropped?: (n: number) => void;
}

/** Runs one DrainWorker per drain in the table, on the controller that leads (see LeaderLock). */
export class DrainManager {
  private readonly workers = new Map<string, { url: string; app: string; worker: DrainWorker; transport: DrainTransport }>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private syncing: Promise<void> | undefined;

  constructor(private readonly o: DrainManagerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = (): void => {
      void this.sync().finally(() => {
        if (this.running) this.timer = setTimeout(tick, this.o.syncMs ?? 3000);
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.syncing;
    const all = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(all.map((w) => w.worker.stop()));
  }

  /** Reads the drain table now (after a drain is added or removed here). */
  poke(): void {
    if (this.running) void this.sync();
  }

  private sync(): Promise<void> {
    this.syncing ??= this.syncOnce()
      .catch((err: unknown) => this.o.log.warn({ err }, 'cannot read the log drains'))
      .finally(() => {
        this.syncing = undefined;
      });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const drains = await listAllLogDrains(this.o.pool);
    if (!this.running) return;
    const wanted = new Map(drains.map((d) => [d.id, d]));
    for (const [id, w] of this.workers) {
      const want = wanted.get(id);
      if (!want) {
        this.workers.delete(id);
        await w.worker.stop();
        await this.o.state.remove(id).catch(() => undefined);
      } else if (want.app !== w.app) {
        // The app was renamed (its stream moved with its ids): a worker of the new name carries on from the cursor.
        this.workers.delete(id);
        await w.worker.stop();
      }
    }
    for (const drain of drains) {
      if (this.workers.has(drain.id)) continue;
      let transport: DrainTransport;
      try {
        transport = (this.o.makeTransport ?? transportFor)(parseDrainUrl(drain.url), { token: drain.token, ca: this.o.ca, guard: this.o.guard });
      } catch (err) {
        this.o.log.warn({ drain: drain.id, err: (err as Error).message }, 'drain URL no longer valid; skipped');
        continue;
      }
      const worker = new DrainWorker({
        drain,
        store: this.o.store,
        state: this.o.state,
        transport,
        events: this.o.events,
        log: this.o.log.child({ app: drain.app, drain: drain.id }),
        maxLag: this.o.maxLag,
        backoff: this.o.backoff,
        onDelivered: this.o.onDelivered,
        onDropped: this.o.onDropped,
      });
      this.workers.set(drain.id, { url: drain.url, app: drain.app, worker, transport });
      worker.start();
    }
  }
}

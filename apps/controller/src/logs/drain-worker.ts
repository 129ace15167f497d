import { randomUUID } from 'node:crypto';
import type { Logger, StoredLogEntry } from '@paas/shared';
import type { LogDrainRow } from '../db/log-drains.js';
import { backoffDelay } from './backoff.js';
import type { DrainStateStore, DrainState } from './drain-state.js';
import type { DrainTransport } from './drain-transports.js';
import type { LogStore } from './log-store.js';
import type { PlatformEvents } from './platform-events.js';
import { formatRfc5424 } from './rfc5424.js';

export interface DrainWorkerOptions {
  drain: LogDrainRow;
  store: LogStore;
  state: DrainStateStore;
  transport: DrainTransport;
  events: PlatformEvents;
  log: Logger;
  /** Lines a drain may fall behind the stream; older ones are dropped and counted. */
  maxLag: number;
  batch?: number;
  idleMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** Delivered and dropped lines, for metrics. */
  onDelivered?: (n: number) => void;
  onDropped?: (n: number) => void;
}

/**
 * Delivers one app's log stream to one drain, in order, from its own cursor kept in Redis (so a
 * restart resumes where delivery stopped). A batch that fails is retried with exponential backoff
 * while the target is down; the buffer is the stream itself, bounded by `maxLag`: when the drain
 * falls further behind, the oldest lines are skipped, counted, and reported in a `platform` line.
 * The app and its stream never wait for a drain.
 */
export class DrainWorker {
  private stopped = false;
  private wake: (() => void) | undefined;
  private done: Promise<void> | undefined;
  private s: DrainState | undefined;

  constructor(private readonly o: DrainWorkerOptions) {}

  start(): void {
    this.done ??= this.loop().catch((err: unknown) => this.o.log.error({ err, drain: this.o.drain.id }, 'drain worker stopped'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done;
    this.o.transport.close();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async loop(): Promise<void> {
    const { drain, store } = this.o;
    const batchSize = this.o.batch ?? 500;
    let attempt = 0;
    let batch: StoredLogEntry[] = [];
    let frameId = randomUUID();
    while (!this.stopped) {
      try {
        const s = (this.s ??= await this.o.state.load(drain.id, () => store.info(drain.app)));
        if (batch.length === 0) {
          await this.boundLag(s);
          batch = await store.readAfter(drain.app, s.cursor, batchSize);
          frameId = randomUUID();
          if (batch.length === 0) {
            await this.sleep(this.o.idleMs ?? 250);
            continue;
          }
        }
        await this.o.transport.send(
          batch.map((e) => formatRfc5424(drain.app, e)),
          frameId,
        );
        s.cursor = batch[batch.length - 1]!.id;
        s.seq += batch.length;
        s.delivered += batch.length;
        this.o.onDelivered?.(batch.length);
        if (attempt > 0) this.o.log.info({ drain: drain.id, app: drain.app }, 'drain delivers again');
        attempt = 0;
        s.status = 'delivering';
        s.lastError = '';
        batch = [];
        await this.reportDrops(s);
        await this.o.state.save(drain.id, s);
      } catch (err) {
        attempt += 1;
        const message = (err as Error).message;
        if (attempt === 1) this.o.log.warn({ drain: drain.id, app: drain.app, err: message }, 'drain delivery failed; retrying');
        if (this.s) {
          this.s.status = 'retrying';
          this.s.lastError = message;
          this.s.lastErrorAt = new Date().toISOString();
          await this.o.state.save(drain.id, this.s).catch(() => undefined);
        }
        await this.sleep(backoffDelay(attempt, this.o.backoff ?? { baseMs: 500, maxMs: 30_000 }));
        // While waiting the stream moved on: a batch older than the bound is given up.
        if (batch.length > 0 && this.s && (await this.boundLag(this.s))) batch = [];
      }
    }
  }

  /**
   * Keeps the drain within `maxLag` lines of the stream's end (by the stream's entries-added
   * counter, which trimming does not change): the lines beyond are skipped and counted. Returns
   * whether the cursor moved.
   */
  private async boundLag(s: DrainState): Promise<boolean> {
    const app = this.o.drain.app;
    let { info } = await this.o.store.infoAndNthNewest(app, 0);
    if (info.entriesAdded < s.seq) {
      // The stream was deleted and made again: start at its beginning.
      s.cursor = '0-0';
      s.seq = 0;
    }
    if (info.entriesAdded - s.seq <= this.o.maxLag) return false;
    const snapshot = await this.o.store.infoAndNthNewest(app, this.o.maxLag + 1);
    info = snapshot.info;
    const behind = info.entriesAdded - s.seq;
    if (behind <= this.o.maxLag) return false;
    const kept = snapshot.nthId === undefined ? Math.min(info.length, this.o.maxLag) : this.o.maxLag;
    const dropped = behind - kept;
    s.cursor = snapshot.nthId ?? '0-0';
    s.seq = info.entriesAdded - kept;
    s.dropped += dropped;
    s.droppedSince ||= new Date().toISOString();
    this.o.onDropped?.(dropped);
    await this.o.state.save(this.o.drain.id, s);
    return true;
  }

  /** Once the drain delivers again, a `platform` line tells the app how many lines it lost, like Logplex's L10. */
  private async reportDrops(s: DrainState): Promise<void> {
    const unreported = s.dropped - s.reportedDropped;
    if (unreported <= 0) return;
    s.reportedDropped = s.dropped;
    await this.o.events.say(
      this.o.drain.app,
      `Error L10 (output buffer overflow): drain ${this.o.drain.token} dropped ${unreported} lines since ${s.droppedSince} (it was behind by more than ${this.o.maxLag})`,
      'logplex',
    );
    s.droppedSince = '';
  }
}

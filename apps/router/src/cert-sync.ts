import type { CertEntry, Logger, RouteStore } from '@paas/shared';
import { toError, withTimeout } from '@paas/shared';
import type { CertTable } from './cert-table.js';

export interface CertSyncOptions {
  logger: Logger;
  /** Full resync every this many ms. */
  resyncMs: number;
  /** Retry after a failed sync (doubling, never past resyncMs). Default 1000. */
  retryMs?: number;
  storeTimeoutMs?: number;
}

/**
 * Keeps the CertTable in step with the route store's certificates: watch, then list and apply the
 * difference; every announced change (certificates change rarely) and a timer run the same full
 * sync. On a store error the table keeps what it had. A certificate that cannot be loaded (a key
 * that does not open, a broken PEM) is logged and left out; its previous version, if any, stays.
 *
 * Redis keeps nothing on disk: a store that came back empty lists no certificates. A list is trusted
 * to remove what it lacks only under the store's epoch (as routes are, see RouteSync): the controller
 * writes every certificate back before it writes the routes under a new epoch (RouteEpochGuard), so
 * HTTPS keeps being served with the certificates loaded meanwhile.
 */
export class CertSync {
  private readonly retryMs: number;
  private readonly storeTimeoutMs: number;
  private stopWatching: (() => Promise<void>) | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;
  /** Ids whose current version failed to load, with the content that failed (not retried until it changes). */
  private readonly broken = new Map<string, string>();

  constructor(
    private readonly store: RouteStore,
    private readonly table: CertTable,
    private readonly options: CertSyncOptions,
  ) {
    this.retryMs = Math.min(options.retryMs ?? 1000, options.resyncMs);
    this.storeTimeoutMs = options.storeTimeoutMs ?? 10_000;
  }

  start(): Promise<void> {
    return this.sync();
  }

  /** Runs a full sync (after the one running, if any). Never rejects. */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.syncOnce();
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    const stop = this.stopWatching;
    this.stopWatching = undefined;
    await stop?.().catch(() => undefined);
  }

  private async syncOnce(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.stopWatching) {
        this.stopWatching = await withTimeout(
          this.store.watchCerts(() => void this.sync()),
          this.storeTimeoutMs,
          'route store watchCerts',
        );
      }
      const epoch = await withTimeout(this.store.epoch(), this.storeTimeoutMs, 'route store epoch');
      const entries = await withTimeout(this.store.listCerts(), this.storeTimeoutMs, 'route store listCerts');
      this.apply(entries, epoch !== undefined);
      this.failures = 0;
      this.schedule(this.options.resyncMs);
    } catch (err) {
      this.failures++;
      const retryInMs = Math.min(this.options.resyncMs, this.retryMs * 2 ** (this.failures - 1));
      this.options.logger.error({ err: toError(err), certs: this.table.size, retryInMs }, 'certificate sync failed; keeping the certificates loaded');
      this.schedule(retryInMs);
    }
  }

  /** Loads `entries`; `whole` (listed under an epoch): also removes the certificates they lack. */
  private apply(entries: CertEntry[], whole: boolean): void {
    const seen = new Set<string>();
    for (const entry of entries) {
      seen.add(entry.id);
      const content = JSON.stringify(entry);
      const current = this.table.get(entry.id);
      if ((current && JSON.stringify(current) === content) || this.broken.get(entry.id) === content) continue;
      try {
        this.table.set(entry);
        this.broken.delete(entry.id);
        this.options.logger.info({ app: entry.app, cert: entry.id, names: entry.names }, 'certificate loaded');
      } catch (err) {
        this.broken.set(entry.id, content);
        this.options.logger.error({ app: entry.app, cert: entry.id, names: entry.names, err: toError(err) }, 'certificate cannot be loaded; leaving it out');
      }
    }
    const lacking = this.table.ids().filter((id) => !seen.has(id));
    if (!whole) {
      if (lacking.length > 0) this.options.logger.warn({ certs: this.table.size, listed: entries.length }, 'the route store lost its certificates (no epoch): keeping the ones it lacks');
      return;
    }
    for (const id of lacking) if (this.table.delete(id)) this.options.logger.info({ cert: id }, 'certificate removed');
    for (const id of this.broken.keys()) if (!seen.has(id)) this.broken.delete(id);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.sync(), ms);
    this.timer.unref();
  }
}

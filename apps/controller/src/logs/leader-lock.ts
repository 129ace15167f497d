import type pg from 'pg';
import type { Logger } from '@paas/shared';

export interface LeaderLockOptions {
  pool: pg.Pool;
  /** The advisory lock's key: one holder across every controller sharing the database. */
  key: number;
  log: Logger;
  /** Called when this controller becomes the holder, and when it stops being it. */
  onAcquire: () => void;
  onRelease: () => Promise<void> | void;
  retryMs?: number;
}

/**
 * Leadership by a session-level PostgreSQL advisory lock held on a connection of its own: the
 * controller that holds it runs the work that must run once (log collection, drain delivery);
 * the others retry every few seconds and take over when its connection, and so its lock, goes.
 */
export class LeaderLock {
  private client: pg.PoolClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: LeaderLockOptions) {}

  get leading(): boolean {
    return this.client !== undefined;
  }

  start(): void {
    this.stopped = false;
    void this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.lose(false);
  }

  private async attempt(): Promise<void> {
    if (this.stopped || this.client) return;
    let client: pg.PoolClient | undefined;
    try {
      client = await this.o.pool.connect();
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [this.o.key]);
      if (rows[0]?.ok && !this.stopped) {
        this.client = client;
        client.on('error', (err) => {
          this.o.log.warn({ err: err.message }, 'leader lock connection lost');
          void this.lose(true);
        });
        this.o.onAcquire();
        // A dead connection shows only when used: check it on the timer.
        this.schedule(() => this.check());
        return;
      }
      if (rows[0]?.ok) await client.query('SELECT pg_advisory_unlock($1)', [this.o.key]);
      client.release();
    } catch (err) {
      client?.release(true);
      this.o.log.debug({ err: (err as Error).message }, 'leader lock attempt failed');
    }
    this.schedule(() => this.attempt());
  }

  private async check(): Promise<void> {
    if (!this.client) return this.attempt();
    try {
      await this.client.query('SELECT 1');
      this.schedule(() => this.check());
    } catch {
      await this.lose(true);
    }
  }

  private schedule(fn: () => Promise<void>): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void fn(), this.o.retryMs ?? 5000);
    this.timer.unref();
  }

  private async lose(retry: boolean): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    await Promise.resolve(this.o.onRelease()).catch(() => undefined);
    await client.query('SELECT pg_advisory_unlock($1)', [this.o.key]).catch(() => undefined);
    client.release(retry);
    if (retry) this.schedule(() => this.attempt());
  }
}

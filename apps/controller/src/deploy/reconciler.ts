import type pg from 'pg';
import type { Logger } from '@paas/shared';
import { listAllApps } from '../db/apps.js';
import type { Deployer } from './deployer.js';
import { reconcileLockKey } from './app-lock.js';
import type { RoutePublisher } from './route-publisher.js';

/**
 * The level-triggered loop: every interval (and at start) one controller, holding a PostgreSQL
 * advisory lock, converges every app's processes and routes with the desired state, and drops routes
 * of apps that no longer exist. Redis keeps nothing on disk, so this also restores the route table.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly firstSteps: (() => Promise<unknown>)[] = [];

  constructor(
    private readonly pool: pg.Pool,
    private readonly deployer: Deployer,
    private readonly routes: RoutePublisher,
    private readonly intervalMs: number,
    private readonly log: Logger,
    /** Told after each pass whether every app was reconciled (the route epoch guard's cue). */
    private readonly afterPass?: (complete: boolean) => Promise<void>,
  ) {}

  /** Runs `step` at the start of every pass, under the pass's lock (what it stops, the pass replaces). */
  firstInEachPass(step: () => Promise<unknown>): this {
    this.firstSteps.push(step);
    return this;
  }

  start(): void {
    const tick = (): void => {
      this.running = this.runOnce()
        .catch((err: unknown) => this.log.error({ err }, 'reconcile failed'))
        .finally(() => {
          this.running = undefined;
          if (this.timer !== undefined) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * One pass over every app. By default it is skipped when another controller (or this one) is in
   * the middle of a pass; with `wait` it waits for that pass and then runs (after host changes).
   */
  async runOnce(opts: { wait?: boolean } = {}): Promise<void> {
    const client = await this.pool.connect();
    try {
      if (opts.wait) await client.query('SELECT pg_advisory_lock($1)', [reconcileLockKey]);
      else {
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [reconcileLockKey]);
        if (!rows[0]?.ok) return;
      }
      try {
        const started = Date.now();
        for (const step of this.firstSteps) await step().catch((err: unknown) => this.log.warn({ err }, 'reconcile step failed'));
        const apps = await listAllApps(this.pool);
        let complete = true;
        for (const app of apps) {
          await this.deployer.reconcile(app, { wait: opts.wait ?? false }).catch((err: unknown) => {
            complete = false;
            this.log.warn({ app: app.name, err }, 'reconcile of app failed');
          });
        }
        const names = new Set(apps.map((a) => a.name));
        for (const route of await this.routes.list()) if (!names.has(route.app)) await this.routes.remove(route.app);
        await this.afterPass?.(complete);
        this.log.debug({ apps: apps.length, ms: Date.now() - started }, 'reconciled');
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [reconcileLockKey]);
      }
    } finally {
      client.release();
    }
  }
}

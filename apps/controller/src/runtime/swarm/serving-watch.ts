import type { Logger } from '@paas/shared';
import type { ProcessInfo, RuntimeBackend } from '../runtime-backend.js';

/**
 * Follows which web processes serve, for a runtime that moves them by itself (Swarm restarts a
 * crashed task, reschedules a lost node's tasks, replaces tasks during a rollout): every interval,
 * one listing of every app's processes; an app whose serving set changed is handed to `onChange`
 * (a reconcile pass, which republishes its route). The periodic full resync still runs besides.
 */
export class ServingWatch {
  private timer: NodeJS.Timeout | undefined;
  private last = new Map<string, string>();
  private running = false;

  constructor(private readonly o: { runtime: RuntimeBackend; intervalMs: number; log: Logger }) {}

  /** What serves of each app, as a comparable string. */
  static signatures(procs: readonly ProcessInfo[]): Map<string, string> {
    const by = new Map<string, string[]>();
    for (const p of procs) {
      if (p.type !== 'web') continue;
      const list = by.get(p.app) ?? [];
      list.push(`${p.name}@${p.address}:${p.port ?? ''}:${p.state}`);
      by.set(p.app, list);
    }
    return new Map([...by].map(([app, list]) => [app, list.sort().join(',')]));
  }

  async tick(onChange: (app: string) => void): Promise<void> {
    const now = ServingWatch.signatures(await this.o.runtime.list({}, { signal: AbortSignal.timeout(Math.max(this.o.intervalMs * 5, 5000)) }));
    for (const app of new Set([...now.keys(), ...this.last.keys()])) {
      if (now.get(app) !== this.last.get(app)) onChange(app);
    }
    this.last = now;
  }

  start(onChange: (app: string) => void): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = true;
      this.tick(onChange)
        .catch((err: unknown) => this.o.log.warn({ err: (err as Error).message }, 'listing the processes for the routes failed'))
        .finally(() => (this.running = false));
    }, this.o.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import type pg from 'pg';
import type { Logger } from '@paas/shared';
import { findAppById, type AppRow } from '../db/apps.js';
import { appsWithCron, claimCronTick, finishCronRun, pruneCronRuns } from '../db/cron-runs.js';
import { LineSplitter } from '../logs/line-splitter.js';
import type { PlatformEventSink } from '../logs/platform-events.js';
import { parseCron, ticksBetween } from './cron-schedule.js';
import type { OneOffService } from './one-off-service.js';

/** One app.json cron entry, with its stable id (from its schedule and command). */
export interface CronJob {
  id: string;
  command: string;
  schedule: string;
}

/** The valid cron entries of an app.json's `cron` (entries the schema refused never get here). */
export function cronJobs(cron: unknown): CronJob[] {
  if (!Array.isArray(cron)) return [];
  return cron
    .filter((c): c is { command: string; schedule: string } => typeof c?.command === 'string' && typeof c?.schedule === 'string')
    .map((c) => ({ id: createHash('sha256').update(`${c.schedule}\n${c.command}`).digest('hex').slice(0, 12), command: c.command, schedule: c.schedule }));
}

export interface CronSchedulerOptions {
  pool: pg.Pool;
  oneOffs: Pick<OneOffService, 'runAttached'>;
  /** The jobs' output goes to the app's log. */
  events?: PlatformEventSink;
  log: Logger;
  /** How often the schedules are looked at (default 20 s). */
  intervalMs?: number;
  /** Ticks missed by up to this long (a controller restart) still run, once (default 3 minutes). */
  catchUpMs?: number;
  /** How long one run may take (PAAS_RELEASE_PHASE_TIMEOUT). */
  timeoutMs: number;
  now?: () => Date;
}

/**
 * Runs app.json `cron` entries (Dokku's shape: `[{ "command": …, "schedule": "*\/5 * * * *" }]`) of
 * each app's current release as one-offs of it, their output in the app's log. Every controller
 * runs a scheduler; each tick of each job is claimed in cron_runs by one INSERT, so it runs once.
 */
export class CronScheduler {
  private timer: NodeJS.Timeout | undefined;
  private last: Date | undefined;
  private readonly running = new Set<Promise<void>>();
  private passes = 0;

  constructor(private readonly o: CronSchedulerOptions) {}

  start(): void {
    const run = (): void => {
      void this.tick().catch((err: unknown) => this.o.log.warn({ err: (err as Error).message }, 'cron pass failed'));
    };
    this.timer = setInterval(run, this.o.intervalMs ?? 20_000);
    this.timer.unref();
    run();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.running);
  }

  /** One pass: claims and starts the runs due since the last pass (or the catch-up window). Resolves once they have started. */
  async tick(): Promise<number> {
    const now = (this.o.now ?? (() => new Date()))();
    const catchUp = new Date(now.getTime() - (this.o.catchUpMs ?? 180_000));
    const from = this.last && this.last > catchUp ? this.last : catchUp;
    this.last = now;
    if (++this.passes % 180 === 0) await pruneCronRuns(this.o.pool, 7);
    let started = 0;
    for (const { app_id, cron } of await appsWithCron(this.o.pool)) {
      for (const job of cronJobs(cron)) {
        for (const tick of ticksBetween(parseCron(job.schedule), new Date(from.getTime() - 1), now, 3)) {
          if (tick < from) continue;
          if (!(await claimCronTick(this.o.pool, app_id, job.id, tick))) continue;
          const app = await findAppById(this.o.pool, app_id);
          if (!app) continue;
          started++;
          const done = this.run(app, job, tick);
          this.running.add(done);
          void done.finally(() => this.running.delete(done));
        }
      }
    }
    return started;
  }

  /** Waits for the runs started so far (tests, shutdown). */
  async settle(): Promise<void> {
    await Promise.all(this.running);
  }

  private async run(app: AppRow, job: CronJob, tick: Date): Promise<void> {
    const log = this.o.log.child({ app: app.name, cron: job.id });
    let name = 'cron';
    const say = (line: string): void => void this.o.events?.say(app.name, line, name);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.o.timeoutMs);
    const splitter = new LineSplitter();
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of splitter.push(chunk, '')) say(l.text);
        done();
      },
    });
    try {
      const attached = await this.o.oneOffs.runAttached(app, { command: job.command, tty: false }, { stdin: Readable.from([]), stdout: out, stderr: out, signal: deadline.signal });
      name = attached.info.name;
      await this.o.events?.say(app.name, `Starting cron job ${job.id} (${job.schedule}): ${job.command}`, name);
      const code = await attached.exit.catch((err: unknown) => (deadline.signal.aborted ? null : Promise.reject(err)));
      for (const l of splitter.flush()) say(l.text);
      const result = deadline.signal.aborted ? `timed out after ${this.o.timeoutMs / 1000} s` : `exited with status ${code}`;
      await this.o.events?.say(app.name, `Cron job ${job.id} ${result}`, name);
      await finishCronRun(this.o.pool, app.id, job.id, tick, { process: name, exitCode: deadline.signal.aborted ? null : code });
      log.info({ code, process: name }, 'cron job ran');
    } catch (err) {
      const message = (err as Error).message;
      await this.o.events?.say(app.name, `Cron job ${job.id} could not run: ${message}`, name);
      await finishCronRun(this.o.pool, app.id, job.id, tick, { error: message }).catch(() => undefined);
      log.warn({ err: message }, 'cron job could not run');
    } finally {
      clearTimeout(timer);
    }
  }
}

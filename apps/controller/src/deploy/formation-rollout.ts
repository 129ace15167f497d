/**
 * Deploys and reconcile passes on a runtime that rolls releases out itself (formation-runtime.ts:
 * Swarm). The platform does not start, probe or stop single processes there: it hands the engine the
 * app's formation of a release and follows the rollout, publishing the route of the web processes
 * that serve as the engine replaces them (a new one once its health check passes, an old one taken
 * out as soon as the engine stops it, while it drains). The release is promoted when the rollout has
 * converged; when the engine gives up and rolls back, the release fails and the previous one serves.
 */
import type pg from 'pg';
import { AppError, type Logger, type SecretBox } from '@paas/shared';
import type { AppRow } from '../db/apps.js';
import { getFormation, type FormationRow } from '../db/formation.js';
import { currentRelease, promoteRelease, setReleaseStatus, type ReleaseRow } from '../db/releases.js';
import { reconcileReads, reconcileState } from '../db/reconcile-state.js';
import { routeSettings } from '../db/router-settings.js';
import type { ProcessInfo, RuntimeBackend } from '../runtime/runtime-backend.js';
import type { FormationEntry, FormationRuntime } from '../runtime/formation-runtime.js';
import type { AppLocks } from './app-lock.js';
import type { RoutePublisher } from './route-publisher.js';
import type { PlatformEventSink } from '../logs/platform-events.js';
import type { HealthCheck } from './health-checks.js';

export interface FormationRolloutOptions {
  pool: pg.Pool;
  runtime: RuntimeBackend & FormationRuntime;
  routes: RoutePublisher;
  locks: AppLocks;
  cipher: SecretBox;
  events?: PlatformEventSink;
  log: Logger;
  bootTimeoutMs: number;
  /** The longest a rollout may take (the boot deadline of each process, times the processes, plus time to copy images). */
  rolloutTimeoutMs: number;
  /** The formation rows of `release` that run (quantity > 0, a command in the release). */
  desired: (formation: FormationRow[], release: ReleaseRow) => FormationRow[];
  /** A process type's startup checks (app.json's, else the default uptime check). */
  checksOf: (release: ReleaseRow, type: string) => HealthCheck[];
  /** The memory limit of a type without one, given the owner's memory quota. */
  defaultMemoryMb?: (ownerMemoryQuotaMb: number | null) => number;
  ownerMemoryQuota: (app: AppRow) => Promise<number | null>;
  containerPort: number;
  /** How long a pending release counts as booting under a live deploy (reconcile-state.ts). */
  bootWindowSeconds: number;
}

const serving = (procs: readonly ProcessInfo[]): ProcessInfo[] => procs.filter((p) => p.type === 'web' && p.state === 'up' && p.port !== undefined);

export class FormationRollout {
  constructor(private readonly o: FormationRolloutOptions) {}

  private entries(app: AppRow, release: ReleaseRow, rows: FormationRow[], memoryQuotaMb: number | null): FormationEntry[] {
    const memory = this.o.defaultMemoryMb?.(memoryQuotaMb);
    return this.o.desired(rows, release).map((f) => ({
      app: app.name,
      release: release.version,
      type: f.type,
      quantity: f.quantity,
      image: release.image,
      command: release.process_types[f.type]!,
      env: release.config,
      port: release.port ?? this.o.containerPort,
      publish: f.type === 'web',
      ...((f.memory_mb ?? memory) ? { memoryMb: (f.memory_mb ?? memory)! } : {}),
      ...(f.cpus ? { cpus: f.cpus } : {}),
      checks: this.o.checksOf(release, f.type),
      bootTimeoutSeconds: Math.ceil(this.o.bootTimeoutMs / 1000),
    }));
  }

  /** A deploy of `release`: the rollout, followed by the route, then the promotion. */
  async deploy(app: AppRow, release: ReleaseRow, say: (line: string) => void, prepare?: () => Promise<void>): Promise<void> {
    const log = this.o.log.child({ app: app.name, release: release.version });
    await this.o.locks.inTurn(app.id, async (turn) => {
      const fail = async (err: unknown): Promise<never> => {
        await setReleaseStatus(this.o.pool, release.id, 'failed');
        log.warn({ err: (err as Error).message }, 'release failed to roll out');
        await this.o.events?.releaseFailed(app.name, release, (err as Error).message);
        if (err instanceof AppError && err.code === 'release_failed') throw err;
        throw new AppError('release_failed', `release v${release.version} could not start: ${(err as Error).message}`, { cause: err });
      };
      try {
        await prepare?.();
        await this.o.events?.releaseCreated(app.name, release);
        const entries = this.entries(app, release, await getFormation(this.o.pool, app.id), await this.o.ownerMemoryQuota(app));
        const before = (await currentRelease(this.o.pool, this.o.cipher, app.id))?.version ?? release.version;
        if (entries.length) say(`Rolling out ${entries.map((e) => `${e.type}=${e.quantity}`).join(' ')} (each new process starts and passes its health check before an old one stops)`);
        const procs = await this.o.runtime.applyFormation(app.name, entries, {
          wait: true,
          signal: AbortSignal.timeout(this.o.rolloutTimeoutMs),
          progress: (ps) => this.o.routes.ensure(app.name, before, serving(ps)).then(() => undefined),
        });
        await turn.locked([], async () => {
          const current = await currentRelease(this.o.pool, this.o.cipher, app.id);
          if (current && current.version > release.version) throw new AppError('release_failed', `release v${release.version} was superseded by v${current.version} while it rolled out`);
          if (!(await promoteRelease(this.o.pool, release.id))) {
            throw new AppError('release_failed', `release v${release.version} lost its deploy lease (the database was out of reach)`);
          }
          await this.o.routes.publish(app.name, release.version, serving(procs));
          log.info({ processes: procs.length }, 'release rolled out');
        });
      } catch (err) {
        return fail(err);
      }
    });
  }

  /**
   * A reconcile pass: the formation of the current release applied (a scale, a restart, a type gone),
   * without waiting for it, and the route of what serves now. A later release being rolled out (by
   * this controller or another) is left to its deploy.
   */
  async pass(app: AppRow, replace: ReadonlySet<string>, wait: boolean): Promise<void> {
    await this.o.locks.inTurn(
      app.id,
      (turn) =>
        turn.locked(reconcileReads(app, this.o.bootWindowSeconds), async (results) => {
          const state = reconcileState(this.o.cipher, results);
          const release = state.release;
          const known = { customDomains: state.hostnames, settings: routeSettings(state.router) };
          if (release && state.booting.some((v) => v > release.version)) {
            await this.o.routes.ensure(app.name, release.version, serving(await this.o.runtime.list({ app: app.name })), known);
            return;
          }
          const restart = new Set((await this.o.runtime.list({ app: app.name })).filter((p) => replace.has(p.id)).map((p) => p.type));
          const entries = release ? this.entries(app, release, state.formation, state.memoryQuotaMb) : [];
          const procs = await this.o.runtime.applyFormation(app.name, entries, { wait: false, restart });
          if (release) await this.o.routes.ensure(app.name, release.version, serving(procs), known);
        }),
      wait,
    );
  }
}

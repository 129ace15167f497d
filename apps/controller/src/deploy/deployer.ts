import type pg from 'pg';
import { AppError, sleep, type Logger, type SecretBox } from '@paas/shared';
import type { AppRow } from '../db/apps.js';
import { getFormation, type FormationRow } from '../db/formation.js';
import { currentRelease, promoteRelease, renewReleaseLease, setReleaseStatus, type ReleaseRow } from '../db/releases.js';
import { getQuotaOverrides } from '../db/quotas.js';
import { reconcileReads, reconcileState, type ReconcileState } from '../db/reconcile-state.js';
import { mountsFor, volumesOf, type VolumeRow } from '../db/volumes.js';
import { isDrainAware, startAll, type ProcessInfo, type ProcessSpec, type RuntimeBackend } from '../runtime/runtime-backend.js';
import { isTransientEngineError, retryTransient, type RetryOptions } from '../runtime/transient-retry.js';
import type { AppLocks } from './app-lock.js';
import { CoalescedPasses } from './coalesced-passes.js';
import type { HttpCheck, Probe } from './probe.js';
import type { AppJson } from './app-json.js';
import { checkCaps, defaultChecks, startupChecks, type HealthCheck } from './health-checks.js';
import { BootChecks } from './boot-checks.js';
import type { RoutePublisher } from './route-publisher.js';
import type { PlatformEventSink } from '../logs/platform-events.js';
import type { ImageRetention } from './image-retention.js';
import { releaseProcessType } from './release-phase.js';
import { routeSettings } from '../db/router-settings.js';
import { isFormationRuntime } from '../runtime/formation-runtime.js';
import { FormationRollout } from './formation-rollout.js';

export interface DeployerOptions {
  pool: pg.Pool;
  /** How engine calls that failed transiently are tried again (destroy); tests shorten the waits. */
  engineRetry?: RetryOptions;
  runtime: RuntimeBackend;
  routes: RoutePublisher;
  locks: AppLocks;
  probe: Probe;
  /** Runs app.json health checks; the real HTTP one by default. */
  check?: HttpCheck;
  log: Logger;
  /** A web process must answer HTTP within this long (PAAS_BOOT_TIMEOUT). */
  bootTimeoutMs: number;
  /**
   * The deadline of a process's boot, app.json startup checks included (PAAS_MAX_BOOT_SECONDS): a
   * process gets the boot timeout plus what its checks can take at worst, never more than this.
   * Default 300 s.
   */
  maxBootMs?: number;
  stopGraceSeconds: number;
  /**
   * How long a web process that left the route keeps running before it is told to stop, so the
   * requests it is serving finish (0 in tests).
   */
  drainMs?: number;
  /** Decrypts the releases' config snapshots. */
  cipher: SecretBox;
  /** Release events as `platform` lines of the app's log. */
  events?: PlatformEventSink;
  /**
   * The memory limit (MB) of a process whose type has none, given the owner's memory quota as set for
   * them (null: the platform's default quota): the platform default capped by the owner's quota, so
   * leaving the limit unset cannot bypass the quota. Absent: no limit.
   */
  defaultMemoryMb?: (ownerMemoryQuotaMb: number | null) => number;
  /**
   * The default check of a process type without startup checks: it must stay up this long (Dokku's
   * DOKKU_DEFAULT_CHECKS_WAIT; PAAS_DEFAULT_CHECKS_WAIT, the app's config var of that name overrides
   * it). Default 0: none.
   */
  defaultChecksWaitSeconds?: number;
  /** How long a release phase may run before the release's processes start (PAAS_RELEASE_PHASE_TIMEOUT). */
  releasePhaseMs?: number;
  /** Removes old release images after each release (none: images are kept until the app goes). */
  images?: ImageRetention;
  /** This controller, as the holder of the leases on the releases it deploys (see db/releases.ts). */
  controllerId?: string;
}

/** A deploy's lease on its release lasts this long and is renewed a third of the way through. */
export const releaseLeaseSeconds = 30;

/** A reconcile pass's decisions (see Deployer.plan). */
interface Plan {
  state: ReconcileState;
  release: ReleaseRow;
  want: Map<string, number>;
  keep: ProcessInfo[];
  stop: ProcessInfo[];
  started: ProcessInfo[];
}

/** The config var (and platform setting) of the default check's uptime, in seconds. */
export const defaultChecksWaitVar = 'PAAS_DEFAULT_CHECKS_WAIT';

/** The port every process is told to listen on inside its container. */
export const containerPort = 5000;

/**
 * Puts releases into service. A new release starts its processes first; web processes must answer
 * HTTP within the boot timeout; only then the router switches and the old processes stop. A release
 * whose processes do not boot is not promoted and the previous one keeps serving.
 */
export class Deployer {
  /** Processes out of the route, waiting to be stopped: reconcile leaves them alone. */
  private readonly retiring = new Set<string>();
  private readonly pendingRetirements = new Set<Promise<void>>();
  /** Reconcile passes per app id, coalesced. */
  private readonly passes = new CoalescedPasses();

  /** Whether a started process has booted (the HTTP answer of web processes, app.json's startup checks). */
  private readonly boots: BootChecks;

  /** On a runtime that rolls releases out itself (Swarm): deploys and passes are its (formation-rollout.ts). */
  private readonly rollout: FormationRollout | undefined;

  constructor(private readonly o: DeployerOptions) {
    this.boots = new BootChecks({ runtime: o.runtime, probe: o.probe, check: o.check, bootTimeoutMs: o.bootTimeoutMs, maxBootMs: o.maxBootMs, log: o.log });
    const runtime = o.runtime;
    this.rollout = isFormationRuntime(runtime)
      ? new FormationRollout({
          ...o,
          runtime,
          rolloutTimeoutMs: this.bootWindowSeconds() * 1000,
          bootWindowSeconds: this.bootWindowSeconds(),
          desired: (f, r) => this.desired(f, r),
          checksOf: (r, t) => this.checksOf(r, t),
          ownerMemoryQuota: async (app) => (await getQuotaOverrides(o.pool, app.owner_id)).memory_mb,
          containerPort,
        })
      : undefined;
  }

  /**
   * The startup checks of a process of `release`: its app.json's, else the default uptime check of
   * PAAS_DEFAULT_CHECKS_WAIT seconds (the release's config var, else the platform's).
   */
  private checksOf(release: ReleaseRow, type: string): HealthCheck[] {
    const own = startupChecks(release.app_json as AppJson | null, type);
    if (own.length) return own;
    const fromApp = Number(release.config[defaultChecksWaitVar]);
    const seconds = Number.isFinite(fromApp) && release.config[defaultChecksWaitVar]?.trim() ? Math.min(Math.max(fromApp, 0), checkCaps.uptime) : (this.o.defaultChecksWaitSeconds ?? 0);
    return defaultChecks(seconds);
  }

  /**
   * Stops processes that no longer serve: web processes after the drain period (in the background,
   * so a push returns as soon as the new release serves), the others at once. Each gets SIGTERM, then
   * SIGKILL after the grace period.
   */
  private retire(procs: ProcessInfo[]): Promise<void> {
    const web = procs.filter((p) => p.type === 'web' && (this.o.drainMs ?? 0) > 0);
    const rest = procs.filter((p) => !web.includes(p));
    for (const p of web) this.retiring.add(p.id);
    if (web.length) {
      const done = (async () => {
        await sleep(this.o.drainMs ?? 0);
        await Promise.all(web.map((p) => this.o.runtime.stop(p.id, this.o.stopGraceSeconds).catch((err: unknown) => {
          this.o.log.warn({ app: p.app, process: p.name, err: (err as Error).message }, 'stopping a drained process failed');
        })));
        for (const p of web) this.retiring.delete(p.id);
      })();
      this.pendingRetirements.add(done);
      void done.finally(() => this.pendingRetirements.delete(done));
    }
    return Promise.all(rest.map((p) => this.o.runtime.stop(p.id, this.o.stopGraceSeconds))).then(() => undefined);
  }

  /**
   * Stops processes now (`ps:stop`): SIGTERM, then SIGKILL after the platform's grace period
   * (PAAS_STOP_GRACE), the same as processes a release replaces.
   */
  async stopProcesses(procs: readonly ProcessInfo[]): Promise<void> {
    await Promise.all(procs.map((p) => this.o.runtime.stop(p.id, this.o.stopGraceSeconds)));
  }

  /** Waits for drained processes to be stopped and old images pruned (shutdown, tests). */
  async settle(): Promise<void> {
    await Promise.all([...this.pendingRetirements, this.o.images?.settle()]);
  }

  /** The memory limit a process without one of its own runs with (undefined: none). */
  async defaultMemory(app: AppRow): Promise<number | undefined> {
    if (!this.o.defaultMemoryMb) return undefined;
    return this.o.defaultMemoryMb((await getQuotaOverrides(this.o.pool, app.owner_id)).memory_mb);
  }

  private spec(app: AppRow, release: ReleaseRow, f: FormationRow, index: number, defaultMemoryMb: number | undefined, volumes: readonly VolumeRow[]): ProcessSpec {
    const type = f.type;
    const { mounts, host } = mountsFor(volumes, type);
    return {
      ...(mounts.length ? { mounts } : {}),
      ...(host !== undefined ? { host } : {}),
      app: app.name,
      release: release.version,
      type,
      index,
      image: release.image,
      command: release.process_types[type]!,
      env: release.config,
      port: release.port ?? containerPort,
      publish: type === 'web',
      memoryMb: f.memory_mb ?? defaultMemoryMb,
      cpus: f.cpus ?? undefined,
    };
  }

  private desired(formation: FormationRow[], release: ReleaseRow): FormationRow[] {
    return formation.filter((f) => f.quantity > 0 && f.type !== releaseProcessType && release.process_types[f.type] !== undefined);
  }

  /**
   * Rolls the app onto `release`; throws `release_failed` (with the process's last lines) when it does
   * not boot. In the app's turn (app-lock.ts): its processes are started under the app's lock, their
   * boot is waited for without it (no pooled connection, no lock slot), then the release is promoted
   * and the old processes retired under the lock again. `prepare` (the release phase) runs first in the
   * app's turn, before any process of the release starts: when it throws, the release fails.
   */
  async deploy(app: AppRow, release: ReleaseRow, say: (line: string) => void = () => {}, prepare?: () => Promise<void>): Promise<void> {
    const log = this.o.log.child({ app: app.name, release: release.version });
    // The lease says a live controller deploys this release: other controllers' passes leave its
    // processes alone; when this controller dies it runs out and the deploy is rolled back.
    const holder = this.o.controllerId ?? `controller-${process.pid}`;
    await renewReleaseLease(this.o.pool, release.id, holder, releaseLeaseSeconds);
    const lease = setInterval(() => {
      renewReleaseLease(this.o.pool, release.id, holder, releaseLeaseSeconds).catch((err: unknown) =>
        log.warn({ err: (err as Error).message }, 'could not renew the lease on a release'),
      );
    }, (releaseLeaseSeconds * 1000) / 3);
    lease.unref();
    try {
      if (this.rollout) await this.rollout.deploy(app, release, say, prepare);
      else await this.deployLeased(app, release, say, log, prepare);
    } finally {
      clearInterval(lease);
    }
    this.o.images?.schedule(app);
  }

  private async deployLeased(app: AppRow, release: ReleaseRow, say: (line: string) => void, log: Logger, prepare?: () => Promise<void>): Promise<void> {
    await this.o.locks.inTurn(app.id, async (turn) => {
      const started: ProcessInfo[] = [];
      const fail = async (err: unknown): Promise<never> => {
        await Promise.all(started.map((p) => this.o.runtime.stop(p.id, 0).catch(() => undefined)));
        await setReleaseStatus(this.o.pool, release.id, 'failed');
        log.warn({ err }, 'release failed to boot');
        await this.o.events?.releaseFailed(app.name, release, (err as Error).message);
        if (err instanceof AppError) throw err;
        throw new AppError('release_failed', `release v${release.version} could not start: ${(err as Error).message}`, { cause: err });
      };
      try {
        await prepare?.();
        await turn.locked([], async () => {
          app = await this.current(app);
          await this.o.events?.releaseCreated(app.name, release);
          const formation = this.desired(await getFormation(this.o.pool, app.id), release);
          const memory = await this.defaultMemory(app);
          const volumes = await volumesOf(this.o.pool, app.id);
          const specs = formation.flatMap((f) => Array.from({ length: f.quantity }, (_, i) => this.spec(app, release, f, i + 1, memory, volumes)));
          started.push(...(await startAll(this.o.runtime, specs)));
        });
        const web = started.filter((p) => p.type === 'web');
        if (web.length) say(`Waiting for ${web.map((p) => p.name).join(', ')} to accept connections on $PORT`);
        const checked = started.filter((p) => p.type === 'web' || this.checksOf(release, p.type).length > 0);
        if (checked.some((p) => this.checksOf(release, p.type).length > 0)) say(`Running health checks of ${checked.map((p) => p.name).join(', ')}`);
        await Promise.all(checked.map((p) => this.boots.wait(p, this.checksOf(release, p.type), say)));
      } catch (err) {
        return fail(err);
      }
      await turn.locked([], async () => {
        // Another controller may have promoted a later release meanwhile: this one is then out of date.
        const current = await currentRelease(this.o.pool, this.o.cipher, app.id);
        if (current && current.version > release.version) {
          return fail(new AppError('release_failed', `release v${release.version} was superseded by v${current.version} while it booted`));
        }
        const ids = new Set(started.map((p) => p.id));
        const old = (await this.o.runtime.list({ app: app.name })).filter((p) => !ids.has(p.id) && !this.retiring.has(p.id));
        if (!(await promoteRelease(this.o.pool, release.id))) {
          return fail(new AppError('release_failed', `release v${release.version} lost its deploy lease (the database was out of reach) and was rolled back`));
        }
        await this.o.routes.publish(
          app.name,
          release.version,
          started.filter((p) => p.type === 'web'),
        );
        await this.retire(old);
        log.info({ started: started.length, retired: old.length }, 'release deployed');
      });
    });
  }

  /** The app under its name now: a rename (app-rename.ts) waits for the app's lock, and a caller may have read it before. */
  private async current(app: AppRow): Promise<AppRow> {
    const { rows } = await this.o.pool.query<{ name: string }>('SELECT name FROM apps WHERE id = $1', [app.id]);
    const name = rows[0]?.name;
    return name === undefined || name === app.name ? app : { ...app, name };
  }

  /** Refuses to deploy an earlier release whose image has been removed (rollback). */
  async assertImageKept(app: AppRow, release: ReleaseRow): Promise<void> {
    await this.o.images?.assertKept(app, release);
  }

  /**
   * How long a release may stay pending while its deploy starts and boots its processes: the boot
   * deadline plus time to start them (image transfers included). Past it, a pass stops its processes
   * (a deploy whose controller died).
   */
  private bootWindowSeconds(): number {
    return ((this.o.maxBootMs ?? 300_000) + (this.o.releasePhaseMs ?? 0)) / 1000 + 600;
  }

  /**
   * Makes the app's running processes match its formation for the current release (start what is
   * missing, stop what is extra or left from other releases) and republishes its route when it
   * differs. Level-triggered: safe to run any number of times.
   *
   * Calls are coalesced per app (coalesced-passes.ts): a caller is answered by a pass that began after
   * it called (so it sees what the caller wrote before), shared with every caller that arrived while
   * the previous pass ran, whose `replace` sets (ps:restart) it merges. Without `wait` (the periodic
   * loop) an app whose lock is taken, or that has a pass running or due, is skipped.
   */
  async reconcile(app: AppRow, opts: { wait: boolean; replace?: ReadonlySet<string> } = { wait: true }): Promise<void> {
    if (opts.wait) return this.passes.run(app.id, (replace) => this.pass(app, replace, true), opts.replace);
    // The periodic loop: an app with a pass running or due is left to that pass.
    if (this.passes.busy(app.id)) return;
    return this.passes.run(app.id, (replace) => this.pass(app, replace, false), opts.replace);
  }

  /**
   * One pass in the app's turn (skipped when `wait` is false and the app is busy or its lock taken).
   * Under the app's lock: its database reads (in the lock's own round trip), the processes listed,
   * the missing ones started. Without the lock (no connection, no slot): the started web processes'
   * boot. Under the lock again: the route and the retirements.
   */
  private async pass(app: AppRow, replace: ReadonlySet<string>, wait: boolean): Promise<void> {
    if (this.rollout) return this.rollout.pass(app, replace, wait);
    await this.o.locks.inTurn(
      app.id,
      async (turn) => {
        const plan = await turn.locked(reconcileReads(app, this.bootWindowSeconds()), async (results) => {
          const state = reconcileState(this.o.cipher, results);
          if (state.name === null) return undefined; // destroyed meanwhile
          // Renamed since the caller read it (app-rename.ts): its processes run under the new name.
          if (state.name !== app.name) app = { ...app, name: state.name };
          const p = await this.plan(app, state, await this.o.runtime.list({ app: app.name }), replace);
          if (p && p.started.some((s) => s.type === 'web')) return p;
          if (p) await this.finish(app, p, [], new Set());
          return undefined;
        });
        if (!plan) return;
        const { ready, failed } = await this.boot(app, plan);
        // Waits for the lock even in a periodic pass: what it started must be routed or retired.
        await turn.locked([], () => this.finish(app, plan, ready, failed), true);
      },
      wait,
    );
  }

  /** What a pass does about the app's processes: which stay, which go, which it started. Undefined: no release (all stopped). */
  private async plan(app: AppRow, state: ReconcileState, procs: ProcessInfo[], replace: ReadonlySet<string>): Promise<Plan | undefined> {
    const { release, formation: rows } = state;
    const memory = this.o.defaultMemoryMb?.(state.memoryQuotaMb);
    if (!release) {
      await Promise.all(procs.map((p) => this.o.runtime.stop(p.id, this.o.stopGraceSeconds)));
      return undefined;
    }
    const formation = this.desired(rows, release);
    const want = new Map(formation.map((f) => [f.type, f.quantity]));
    const limits = new Map(formation.map((f) => [f.type, f]));
    const draining = (p: ProcessInfo): boolean => isDrainAware(this.o.runtime) && this.o.runtime.isDraining(p.host);
    const keep: ProcessInfo[] = [];
    const stop: ProcessInfo[] = [];
    const seen = new Set<string>();
    for (const p of procs.sort((a, b) => a.name.localeCompare(b.name))) {
      if (this.retiring.has(p.id)) continue;
      // Booting under a deploy of a later release (another controller's: this one's run in the app's turn).
      if (p.release > release.version && state.booting.includes(p.release)) continue;
      const index = Number(p.name.split('.')[1]);
      const f = limits.get(p.type);
      const ok =
        p.release === release.version &&
        index >= 1 &&
        index <= (want.get(p.type) ?? 0) &&
        !seen.has(p.name) &&
        !p.abandoned && // killed from outside, or the engine gave up: replaced
        !draining(p) &&
        !replace.has(p.id) && // ps:restart: replaced like any process that differs
        (p.memoryMb ?? null) === (f?.memory_mb ?? memory ?? null) &&
        (p.cpus ?? null) === (f?.cpus ?? null);
      (ok ? keep : stop).push(p);
      if (ok) seen.add(p.name);
    }
    const missing: ProcessSpec[] = [];
    const volumes = want.size ? await volumesOf(this.o.pool, app.id) : [];
    for (const [type, quantity] of want) {
      for (let i = 1; i <= quantity; i++) {
        if (!seen.has(`${type}.${i}`)) missing.push(this.spec(app, release, limits.get(type)!, i, memory, volumes));
      }
    }
    const started = await startAll(this.o.runtime, missing);
    return { state, release, want, keep, stop, started };
  }

  /** Waits for the web processes a pass started to boot; stops the ones that do not. */
  private async boot(app: AppRow, plan: Plan): Promise<{ ready: ProcessInfo[]; failed: Set<string> }> {
    const ready: ProcessInfo[] = [];
    const failed = new Set<string>();
    await Promise.all(
      plan.started.map(async (p) => {
        if (p.type !== 'web') return;
        try {
          await this.boots.wait(p, this.checksOf(plan.release, p.type));
          ready.push(p);
        } catch (err) {
          failed.add(p.name);
          this.o.log.warn({ app: app.name, process: p.name, err: (err as Error).message }, 'process did not boot');
          await this.o.runtime.stop(p.id, 0).catch(() => undefined);
        }
      }),
    );
    return { ready, failed };
  }

  /** Publishes the route of what serves and retires what no longer should; throws when some process did not boot. */
  private async finish(app: AppRow, plan: Plan, ready: ProcessInfo[], failed: ReadonlySet<string>): Promise<void> {
    const { state, release, want, keep, stop } = plan;
    // A serving web process whose replacement did not boot keeps serving until a later pass replaces it.
    const spared = stop.filter((p) => p.type === 'web' && p.state === 'up' && failed.has(p.name) && (want.get(p.type) ?? 0) > 0);
    const web = [...keep.filter((p) => p.type === 'web' && p.state === 'up'), ...spared, ...ready];
    const settings = routeSettings(state.router);
    await this.o.routes.ensure(app.name, release.version, web, { customDomains: state.hostnames, settings });
    await this.retire(stop.filter((p) => !spared.includes(p)));
    if (failed.size) {
      throw new AppError('release_failed', `${[...failed].join(', ')} did not boot; the processes they were to replace keep running`, {
        retryable: true,
      });
    }
  }

  /**
   * Stops every process of the app and removes its route, images and build cache. The engine's
   * transient errors (its removal race, a 5xx, a timeout) are tried again with backoff; when they
   * persist, 503 unavailable (retryable). Every step tolerates having been done: destroy again after
   * a failure finishes the job.
   */
  async destroy(app: AppRow): Promise<void> {
    const retry: RetryOptions = {
      onRetry: (err, attempt, delayMs) => this.o.log.warn({ app: app.name, err, attempt, delayMs }, 'engine error while destroying an app; trying again'),
      ...this.o.engineRetry,
    };
    await this.o.locks.with(app.id, async () => {
      try {
        const procs = await retryTransient(() => this.o.runtime.list({ app: app.name }), retry);
        await this.o.routes.remove(app.name);
        // A runtime of services removes them whole (stopping their processes one by one would race).
        if (!this.rollout) await Promise.all(procs.map((p) => retryTransient(() => this.o.runtime.stop(p.id, 0), retry)));
        await retryTransient(() => this.o.runtime.removeAppResources(app.name), retry);
        // the registry's copies too; a registry that does not answer leaves them to the operator
        await this.o.images?.forgetApp(app.name).catch((err: unknown) => this.o.log.warn({ app: app.name, err }, 'deleting the app\'s images from the registry failed'));
      } catch (err) {
        if (!isTransientEngineError(err)) throw err;
        throw new AppError('unavailable', `the container engine did not finish removing ${app.name}'s processes (${(err as Error).message}); try again`, {
          retryable: true,
          cause: err,
        });
      }
    });
  }
}

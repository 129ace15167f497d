import type pg from 'pg';
import { AppError, type Logger, type TerminalSize, type SecretBox } from '@paas/shared';
import type { AppRow } from '../db/apps.js';
import { endOneOff, listOneOffRuns, markOneOffStarted, reserveOneOff } from '../db/one-offs.js';
import type { QuotaService } from '../auth/quota-service.js';
import { currentRelease, type ReleaseRow } from '../db/releases.js';
import { inTransaction, type Queryable } from '../db/queryable.js';
import { hasImageFiles, isOneOffRunner, oneOffType, type AttachedOneOff, type OneOffIo, type OneOffRunner, type OneOffSpec } from '../runtime/one-off.js';
import type { ProcessInfo, RuntimeBackend } from '../runtime/runtime-backend.js';
import { containerPort } from './deployer.js';

export interface OneOffServiceOptions {
  pool: pg.Pool;
  cipher: SecretBox;
  runtime: RuntimeBackend;
  log: Logger;
  /** One-offs count against the owner's processes quota (reserved under its lock, like a scale). */
  quotas?: QuotaService;
  /** The memory limit of a one-off (Deployer.defaultMemory: the platform default within the owner's quota). */
  defaultMemory?: (app: AppRow) => Promise<number | undefined>;
  /** The image of a one-off that needs psql when the app's own has none (default paas/pg-client:bookworm, made by scripts/base-images.sh). */
  psqlImage?: string;
}

/** Where an image may hold psql. */
const psqlPaths = ['/usr/bin/psql', '/usr/local/bin/psql', '/app/bin/psql'] as const;
export const defaultPsqlImage = 'paas/pg-client:bookworm';

export interface OneOffRequest {
  command: string;
  tty?: boolean;
  size?: TerminalSize;
  /**
   * A program the command needs (`paas pg:psql`): it runs with the app's image when that has it, else
   * with the platform's image of it; either way as the app, with its config and on its network.
   */
  needs?: 'psql';
}

/** Writes what records a one-off's start (its audit event) in the transaction that marks it started. */
export type OneOffRecorder = (tx: Queryable, process: string) => Promise<void>;

/** A reserved one-off that has not started after this long was left by a controller that stopped. */
const staleReservationSeconds = 600;

/**
 * Runs one-off processes (`paas run`) with the app's current release: its image, its config vars, a
 * fresh `run.N` name. The runtime decides where (ClusterRuntime places it like any process). Each is
 * reserved in one_off_runs under the owner's quota lock before it starts, and counts against the
 * owner's processes until it has exited.
 */
export class OneOffService {
  constructor(private readonly o: OneOffServiceOptions) {}

  private runner(): OneOffRunner {
    if (!isOneOffRunner(this.o.runtime)) throw new AppError('unavailable', 'this platform runtime cannot run one-off processes');
    return this.o.runtime;
  }

  /**
   * Forgets the one-offs of `ownerId` that no longer run (a detached one has exited; a controller
   * stopped before recording its start), so they stop counting against the quota.
   */
  async sweep(ownerId: string): Promise<number> {
    if (!isOneOffRunner(this.o.runtime)) return 0;
    const runs = await listOneOffRuns(this.o.pool, ownerId);
    if (runs.length === 0) return 0;
    const running = new Set<string>();
    for (const appName of new Set(runs.map((r) => r.app))) {
      for (const p of await this.o.runtime.listOneOffs({ app: appName })) if (p.state === 'up' || p.state === 'starting') running.add(p.id);
    }
    const ended = runs.filter((r) => (r.process_id === null ? r.age_seconds > staleReservationSeconds : !running.has(r.process_id)));
    for (const r of ended) await endOneOff(this.o.pool, r.app_id, r.number);
    return ended.length;
  }

  /** Reserves `run.N` within the owner's processes quota (after forgetting one-offs that have ended). */
  private async reserve(app: AppRow): Promise<number> {
    if (!this.o.quotas) return reserveOneOff(this.o.pool, app.id);
    await this.sweep(app.owner_id);
    return this.o.quotas.runOneOff(app.owner_id, (tx) => reserveOneOff(tx, app.id));
  }

  /**
   * Starts the reserved one-off with `start`; a one-off that does not start no longer counts. Its start
   * is recorded together with `record` (the audit event) in one transaction; when that fails, the
   * process is stopped and the run fails: a one-off never runs unrecorded.
   */
  private async started<T extends { id: string }>(app: AppRow, index: number, start: () => Promise<T>, record?: OneOffRecorder): Promise<T> {
    let info: T | undefined;
    try {
      info = await start();
      const id = info.id;
      await inTransaction(this.o.pool, async (tx) => {
        await markOneOffStarted(tx, app.id, index, id);
        await record?.(tx, `${oneOffType}.${index}`);
      });
      return info;
    } catch (err) {
      if (info) await this.o.runtime.stop(info.id, 0).catch((e: unknown) => this.o.log.warn({ err: e, app: app.name }, 'could not stop an unrecorded one-off'));
      await endOneOff(this.o.pool, app.id, index).catch(() => undefined);
      throw err;
    }
  }

  /** Everything that can be refused is checked here, before anything starts; then run.N is reserved. */
  private async spec(app: AppRow, req: OneOffRequest, of?: ReleaseRow): Promise<OneOffSpec> {
    this.runner();
    const command = req.command.trim();
    if (command === '') throw new AppError('invalid_params', 'command: is empty; give the command to run, e.g. paas run -- bash');
    const release = of ?? (await currentRelease(this.o.pool, this.o.cipher, app.id));
    if (!release) throw new AppError('invalid_params', `${app.name} has no release yet: deploy it with git push first`);
    const memoryMb = await this.o.defaultMemory?.(app);
    const image = req.needs === 'psql' ? await this.imageWithPsql(release.image) : release.image;
    const index = await this.reserve(app);
    return {
      app: app.name,
      release: release.version,
      index,
      image,
      command,
      env: release.config,
      port: containerPort,
      tty: req.tty ?? false,
      ...(req.size ? { size: req.size } : {}),
      ...(memoryMb !== undefined ? { memoryMb } : {}),
    };
  }

  /** The app's image when it has psql, else the platform's psql image. */
  private async imageWithPsql(image: string): Promise<string> {
    if (hasImageFiles(this.o.runtime) && (await this.o.runtime.imageHasAny(image, psqlPaths))) return image;
    return this.o.psqlImage ?? defaultPsqlImage;
  }

  async runDetached(app: AppRow, req: OneOffRequest, record?: OneOffRecorder): Promise<ProcessInfo> {
    const spec = await this.spec(app, { ...req, tty: false });
    const info = await this.started(app, spec.index, () => this.runner().runDetached(spec), record);
    this.o.log.info({ app: app.name, release: spec.release, process: info.name, host: info.host }, 'one-off started (detached)');
    return info;
  }

  /**
   * Starts an attached one-off: rejects (before anything ran) when it cannot. It runs with the app's
   * current release, or with `release` (the release phase runs with the release it prepares).
   */
  async runAttached(app: AppRow, req: OneOffRequest, io: OneOffIo, record?: OneOffRecorder, release?: ReleaseRow): Promise<AttachedOneOff> {
    const spec = await this.spec(app, req, release);
    const attached = await this.started(
      app,
      spec.index,
      async () => {
        const a = await this.runner().runAttached(spec, io);
        return Object.assign(a, { id: a.info.id });
      },
      record,
    );
    const log = this.o.log.child({ app: app.name, release: spec.release, process: attached.info.name, host: attached.info.host });
    log.info({ tty: spec.tty }, 'one-off started (attached)');
    const ended = (): Promise<void> =>
      endOneOff(this.o.pool, app.id, spec.index).catch((err: unknown) => log.warn({ err }, 'could not record that the one-off ended'));
    // Its exit is reported once it no longer counts against the quota.
    const exit = attached.exit.then(
      async (code) => {
        log.info({ code }, 'one-off exited');
        await ended();
        return code;
      },
      async (err: unknown) => {
        log.warn({ err }, 'one-off lost');
        await ended();
        throw err;
      },
    );
    return { info: attached.info, exit, resize: (size) => attached.resize(size) };
  }

  async list(app: AppRow): Promise<ProcessInfo[]> {
    return isOneOffRunner(this.o.runtime) ? this.o.runtime.listOneOffs({ app: app.name }) : [];
  }
}

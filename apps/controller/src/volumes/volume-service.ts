import { AppError, type Logger } from '@paas/shared';
import type pg from 'pg';
import type { AppRow } from '../db/apps.js';
import { lockAppRow } from '../db/apps.js';
import { inTransaction, isUniqueViolation } from '../db/queryable.js';
import { deleteVolume, dockerVolumeName, insertVolume, isHostLocal, volumesOf, type VolumeRow } from '../db/volumes.js';
import { isVolumeRemover, type RuntimeBackend } from '../runtime/runtime-backend.js';

export interface VolumePolicy {
  /** Drivers besides `local` the operator allows (PAAS_VOLUME_DRIVERS). */
  drivers: string[];
  /** Whether users may pass driver options (PAAS_VOLUME_ALLOW_OPTIONS), e.g. NFS through the local driver. */
  allowOptions: boolean;
  /** Volumes per app. */
  perApp: number;
}

export interface VolumeInput {
  name: string;
  mount: string;
  types?: string[];
  driver?: string;
  options?: Record<string, string>;
}

const volumeName = /^[a-z][a-z0-9-]{0,29}$/;
const typeName = /^[A-Za-z0-9_-]{1,30}$/;
const optionKey = /^[A-Za-z0-9_.-]{1,60}$/;
/** Paths a volume may not cover: the system's, and the app's own /app (its subdirectories are fine). */
const forbiddenMounts = ['/', '/app', '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/root', '/run', '/sbin', '/sys', '/usr', '/var', '/workspace'];
const forbiddenTrees = ['/proc', '/sys', '/dev', '/etc', '/usr', '/bin', '/sbin', '/lib', '/lib64', '/boot', '/run'];

/** A mount path as given, or 422: absolute, no `.`/`..`, nothing but letters, digits, `._-`, not over a system directory. */
export function checkMountPath(path: string): string {
  const normal = path.replace(/\/+$/, '');
  if (!/^(\/[A-Za-z0-9._-]+)+$/.test(normal) || normal.length > 200 || normal.split('/').some((s) => s === '.' || s === '..')) {
    throw new AppError('invalid_params', `--mount takes an absolute path such as /data (letters, digits, . _ -; no . or .. segments): ${JSON.stringify(path)}`);
  }
  if (forbiddenMounts.includes(normal) || forbiddenTrees.some((t) => normal.startsWith(`${t}/`))) {
    throw new AppError('invalid_params', `a volume cannot be mounted at ${normal}: it would cover the system or the app itself (use e.g. /data or /app/storage)`);
  }
  return normal;
}

/**
 * `paas volumes`: Docker volumes of an app, mounted into its processes of some types. A local
 * volume lives on one host, chosen when it is made (where the app's processes of those types run,
 * else the first host up), and its processes run there. Making or destroying one makes a release
 * (the processes are replaced with the new mounts); releases, restarts and rollbacks keep its data.
 */
export class VolumeService {
  constructor(
    private readonly o: {
      pool: pg.Pool;
      runtime: RuntimeBackend;
      /** The names of the hosts that are up. */
      hosts: () => string[];
      policy: VolumePolicy;
      releaseConfigChange: (app: AppRow, description: string, userId: string) => Promise<unknown>;
      log: Logger;
    },
  ) {}

  list(app: AppRow): Promise<VolumeRow[]> {
    return volumesOf(this.o.pool, app.id);
  }

  async create(app: AppRow, user: { id: string }, input: VolumeInput): Promise<VolumeRow> {
    if (!volumeName.test(input.name)) throw new AppError('invalid_params', `volume names are lowercase letters, digits and dashes, starting with a letter, at most 30: ${JSON.stringify(input.name)}`);
    const mount = checkMountPath(input.mount);
    const types = [...new Set(input.types ?? [])];
    for (const t of types) if (!typeName.test(t)) throw new AppError('invalid_params', `not a process type: ${JSON.stringify(t)}`);
    const driver = input.driver ?? 'local';
    if (driver !== 'local' && !this.o.policy.drivers.includes(driver)) {
      throw new AppError('forbidden', `the volume driver ${driver} is not allowed on this platform${this.o.policy.drivers.length ? ` (allowed: local, ${this.o.policy.drivers.join(', ')})` : ' (only local)'}`);
    }
    const options = input.options ?? {};
    if (Object.keys(options).length) {
      if (!this.o.policy.allowOptions) throw new AppError('forbidden', 'volume driver options are not allowed on this platform (the operator sets PAAS_VOLUME_ALLOW_OPTIONS)');
      for (const [k, v] of Object.entries(options)) {
        if (!optionKey.test(k) || typeof v !== 'string' || v.length > 500 || /[\0\n]/.test(v)) throw new AppError('invalid_params', `bad volume option ${JSON.stringify(k)}`);
      }
      // Volumes are the only mounts: never a bind of a host path through the local driver.
      if (driver === 'local' && (options['type'] === 'none' || /(^|,)r?bind(,|$)/.test(options['o'] ?? '') || (options['type'] === undefined && options['device'] !== undefined))) {
        throw new AppError('forbidden', 'a volume cannot bind a host path (type=none, o=bind): use a network filesystem type such as nfs');
      }
    }
    const host = isHostLocal({ driver, options }) ? await this.chooseHost(app, types) : null;
    let row: VolumeRow;
    try {
      row = await inTransaction(this.o.pool, async (tx) => {
        await lockAppRow(tx, app.id);
        const existing = await volumesOf(tx, app.id);
        if (existing.length >= this.o.policy.perApp) throw new AppError('limit_exceeded', `${app.name} has ${existing.length} volumes: at most ${this.o.policy.perApp}`);
        return insertVolume(tx, { app_id: app.id, name: input.name, mount, types, driver, options, host });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('name_taken', `${app.name} has a volume named ${input.name} or mounted at ${mount} already`);
      throw err;
    }
    await this.o.releaseConfigChange(app, `Add volume ${row.name} at ${row.mount}`, user.id);
    return row;
  }

  async destroy(app: AppRow, user: { id: string }, name: string): Promise<VolumeRow> {
    const row = (await volumesOf(this.o.pool, app.id)).find((v) => v.name === name);
    if (!row) throw new AppError('volume_not_found', `${app.name} has no volume named ${name}: see paas volumes -a ${app.name}`);
    await deleteVolume(this.o.pool, row.id);
    // The release replaces the processes that mounted it; then its data goes.
    await this.o.releaseConfigChange(app, `Remove volume ${row.name}`, user.id);
    if (isVolumeRemover(this.o.runtime)) {
      await this.o.runtime.removeVolume(dockerVolumeName(row.id), row.host ?? undefined).catch((err: unknown) =>
        this.o.log.warn({ app: app.name, volume: row.name, err: (err as Error).message }, 'could not remove a destroyed volume from its host'),
      );
    }
    return row;
  }

  /**
   * Removes an app's volumes from their hosts (the app is being destroyed, its processes are gone), by
   * their engine names: a renamed app's volumes still carry the name it had when they were made.
   */
  async removeAll(app: AppRow): Promise<void> {
    if (!isVolumeRemover(this.o.runtime)) return;
    for (const row of await volumesOf(this.o.pool, app.id)) {
      await this.o.runtime.removeVolume(dockerVolumeName(row.id), row.host ?? undefined).catch((err: unknown) =>
        this.o.log.warn({ app: app.name, volume: row.name, err: (err as Error).message }, 'could not remove a destroyed app\'s volume from its host'),
      );
    }
  }

  private async chooseHost(app: AppRow, types: string[]): Promise<string> {
    // Processes of one type run on one volume host: another local volume of those types decides it.
    const overlap = (v: VolumeRow): boolean => v.types.length === 0 || types.length === 0 || v.types.some((t) => types.includes(t));
    const pinned = (await volumesOf(this.o.pool, app.id)).find((v) => v.host !== null && overlap(v));
    if (pinned) return pinned.host!;
    const up = this.o.hosts();
    if (up.length === 0) throw new AppError('unavailable', 'no Docker host is up to hold the volume', { retryable: true });
    const procs = await this.o.runtime.list({ app: app.name });
    const here = procs.find((p) => (types.length === 0 || types.includes(p.type)) && up.includes(p.host));
    return here?.host ?? [...up].sort()[0]!;
  }
}

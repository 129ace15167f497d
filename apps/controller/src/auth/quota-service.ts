import type pg from 'pg';
import { AppError } from '@paas/shared';
import { collectCommitHooks, endCommitHooks, type Queryable } from '../db/queryable.js';
import { quotaExceeded, plural } from './quota-errors.js';
import { exceedsProcesses } from '../deploy/formation-service.js';
import {
  beginAndLockUser,
  getQuotaOverrides,
  getQuotaUsage,
  quotaNames,
  updateQuotaOverrides,
  type QuotaLimits,
  type QuotaOverrides,
  type QuotaUsage,
  type ScaledApp,
} from '../db/quotas.js';

export interface QuotaReport {
  /** The limits in effect: the user's own, else the platform default. */
  limits: QuotaLimits;
  /** What is set for the user (null: the default). */
  overrides: QuotaOverrides;
  usage: QuotaUsage;
}

interface OwnerState extends ScaledApp {
  email: string;
  limits: QuotaLimits;
  usage: QuotaUsage;
}

/**
 * Per-user quotas, counted against an app's OWNER (collaborators spend the owner's quota). Checks and
 * the writes they guard run in one transaction holding the owner's user row (SELECT … FOR UPDATE), so
 * two concurrent requests of one owner cannot both slip under a limit, across controllers too.
 */
export class QuotaService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly defaults: QuotaLimits,
  ) {}

  async report(userId: string, db: Queryable = this.pool): Promise<QuotaReport> {
    const overrides = await getQuotaOverrides(db, userId);
    return { limits: this.effective(overrides), overrides, usage: await getQuotaUsage(db, userId) };
  }

  /** Sets a user's quota overrides; `db` is a transaction when the change commits with its audit event. */
  async set(userId: string, changes: Partial<QuotaOverrides>, db: Queryable = this.pool): Promise<QuotaReport> {
    await updateQuotaOverrides(db, userId, changes);
    return this.report(userId, db);
  }

  /** Creates an app for `ownerId` with `insert` if their apps quota allows one more. */
  createApp<T>(ownerId: string, insert: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.withOwner(ownerId, async (tx, owner) => {
      if (owner.usage.apps + 1 > owner.limits.apps) {
        throw quotaExceeded(
          `cannot create another app: ${owner.email} has ${plural(owner.usage.apps, 'app', 'apps')}, the quota of ${plural(owner.limits.apps, 'app', 'apps')}`,
        );
      }
      return insert(tx);
    });
  }

  /**
   * Starts a one-off process (`paas run`) of an app of `ownerId` with `reserve` if the owner's
   * processes (formations and running one-offs) leave room for one more.
   */
  runOneOff<T>(ownerId: string, reserve: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.withOwner(ownerId, async (tx, owner) => {
      if (exceedsProcesses(owner.usage.processes, 1, owner.limits.processes)) {
        throw quotaExceeded(
          `cannot run a one-off process: ${owner.email}'s apps run ${plural(owner.usage.processes, 'process', 'processes')} (one-offs included), the quota of ${plural(owner.limits.processes, 'process', 'processes')}`,
        );
      }
      return reserve(tx);
    });
  }

  /**
   * Records a build of an app of `ownerId` with `insert` if the owner has a concurrent-build slot
   * free; an app's first deploy (which starts web=1) also needs room for one more process.
   */
  reserveBuild<T>(ownerId: string, firstDeploy: boolean, insert: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.withOwner(ownerId, async (tx, owner) => {
      if (owner.usage.builds + 1 > owner.limits.builds) {
        throw quotaExceeded(
          `cannot start another build: ${owner.email} has ${plural(owner.usage.builds, 'build', 'builds')} running, the quota of ${plural(owner.limits.builds, 'concurrent build', 'concurrent builds')}; push again when one has finished`,
          true,
        );
      }
      if (firstDeploy && exceedsProcesses(owner.usage.processes, 1, owner.limits.processes)) {
        throw quotaExceeded(
          `cannot deploy: the first release starts a web process, and ${owner.email}'s quota of ${plural(owner.limits.processes, 'process', 'processes')} is used`,
        );
      }
      return insert(tx);
    });
  }

  /** For `limits:set` and `run --size`: refuses processes bigger than the owner's memory quota. */
  async assertMemory(ownerId: string, memoryMb: number, db: Queryable = this.pool): Promise<void> {
    const { limits } = await this.report(ownerId, db);
    if (memoryMb > limits.memory_mb) {
      throw quotaExceeded(`${memoryMb} MB per process is over the quota of ${limits.memory_mb} MB of memory per process`);
    }
  }

  /**
   * The memory limit of a process whose type has none: `platformDefault` (PAAS_DEFAULT_MEMORY_MB),
   * capped by the owner's memory quota as set for them (`ownerQuotaMb`; null: the default quota).
   */
  processMemory(ownerQuotaMb: number | null, platformDefault: number): number {
    return Math.min(platformDefault, ownerQuotaMb ?? this.defaults.memory_mb);
  }

  private effective(overrides: QuotaOverrides): QuotaLimits {
    const limits = { ...this.defaults };
    for (const name of quotaNames) limits[name] = overrides[name] ?? this.defaults[name];
    return limits;
  }

  /** A transaction holding the owner's row: BEGIN, the lock and the usage read after it in one round trip. */
  private async withOwner<T>(ownerId: string, fn: (tx: Queryable, owner: OwnerState) => Promise<T>): Promise<T> {
    const tx = await this.pool.connect();
    let committed = false;
    collectCommitHooks(tx);
    try {
      const { locked, state } = await beginAndLockUser(tx, ownerId);
      if (!locked) throw new AppError('user_not_found', 'the owner of this app no longer exists');
      const result = await fn(tx, { ...state, email: locked.email, limits: this.effective(locked) });
      await tx.query('COMMIT');
      committed = true;
      return result;
    } catch (err) {
      await tx.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      endCommitHooks(tx, committed);
      tx.release();
    }
  }
}


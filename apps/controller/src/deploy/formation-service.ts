import type pg from 'pg';
import { AppError } from '@paas/shared';
import type { FormationRow } from '../db/formation.js';
import { beginAndLockUser, type ScaledApp } from '../db/quotas.js';
import { writeScaleAndCommit, type ScaleAudit } from '../db/scale-formation.js';
import { quotaExceeded, plural } from '../auth/quota-errors.js';

/** The most processes of one type a scale may ask for (the API refuses more before this is reached). */
export const maxQuantity = 10_000;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The processes quota, decided here and nowhere else (scales, one-offs and first deploys all ask):
 * processes after a change that adds `delta` of them to `current` must stay within `limit`; a change
 * that does not add any (scaling down) is always allowed, even over the limit.
 */
export function exceedsProcesses(current: number, delta: number, limit: number): boolean {
  return delta > 0 && current + delta > limit;
}

/**
 * Scaling an app's formation against its owner's processes quota (collaborators spend the owner's).
 * Two round trips, every value a parameter (pipelined batches: db/sql-batch.ts): BEGIN, the owner's
 * row locked (SELECT … FOR UPDATE) and the owner's usage and the app's formation and release read
 * after the lock; then, when the rule allows it, the write, the audit event and COMMIT. Two concurrent
 * scales of one owner cannot both slip under the limit, across controllers too.
 */
export class FormationService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly defaultProcesses: number,
  ) {}

  /**
   * Sets the quantities of `updates` for the app `appId` of `ownerId` and records the audit event
   * with them. The app must have a release declaring every type scaled (`explain` says otherwise; it
   * sees the app's formation and release). Answers the app's whole formation after the write, and the
   * app as it was. Ill-formed values are refused before the database.
   */
  async scale(
    ownerId: string,
    appId: string,
    updates: { type: string; quantity: number }[],
    o: { audit: ScaleAudit; explain: (app: ScaledApp) => void },
  ): Promise<{ formation: FormationRow[]; app: ScaledApp }> {
    checkScale(ownerId, appId, updates);
    const tx = await this.pool.connect();
    let open = false;
    try {
      open = true;
      const { locked, state } = await beginAndLockUser(tx, ownerId, appId);
      if (!locked) throw new AppError('user_not_found', 'the owner of this app no longer exists');
      const app: ScaledApp = { formation: state.formation, release: state.release };
      const release = app.release;
      if (!release || updates.some((u) => release.process_types[u.type] === undefined)) {
        o.explain(app);
        throw new AppError('internal', 'scaling was refused: a type the release lacks');
      }
      const delta = updates.reduce((sum, u) => sum + u.quantity - (app.formation[u.type] ?? 0), 0);
      const limit = locked.processes ?? this.defaultProcesses;
      if (exceedsProcesses(state.usage.processes, delta, limit)) {
        throw quotaExceeded(
          `cannot scale to ${plural(state.usage.processes + delta, 'process', 'processes')} across ${locked.email}'s apps: the quota of ${plural(limit, 'process', 'processes')} would be exceeded`,
        );
      }
      const formation = await writeScaleAndCommit(tx, appId, updates, o.audit);
      open = false;
      return { formation, app };
    } finally {
      if (open) await tx.query('ROLLBACK').catch(() => undefined);
      tx.release();
    }
  }
}

function checkScale(ownerId: string, appId: string, updates: { type: string; quantity: number }[]): void {
  if (!uuid.test(ownerId) || !uuid.test(appId)) throw new AppError('invalid_params', 'not an app or owner id');
  for (const u of updates) {
    if (!Number.isSafeInteger(u.quantity) || u.quantity < 0 || u.quantity > maxQuantity) {
      throw new AppError('invalid_params', `a quantity is a whole number from 0 to ${maxQuantity}`);
    }
    if (typeof u.type !== 'string' || u.type.length === 0 || u.type.length > 63 || u.type.includes('\0')) {
      throw new AppError('invalid_params', 'a process type is 1 to 63 characters');
    }
  }
  if (new Set(updates.map((u) => u.type)).size !== updates.length) throw new AppError('invalid_params', 'a process type is named twice');
}

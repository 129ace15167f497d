import type pg from 'pg';
import { AppError } from '@paas/shared';
import type { FormationRow } from '../db/formation.js';
import type { ScaledApp } from '../db/quotas.js';
import { scaleFormation, type Scale } from '../db/scale-formation.js';
import { quotaExceeded, plural } from '../auth/quota-errors.js';

/** The most processes of one type a scale may ask for (the API refuses more before this is reached). */
export const maxQuantity = 10_000;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Scaling an app's formation against its owner's processes quota (collaborators spend the owner's).
 * The check and the write it guards are one call of `paas_scale_formation` (migration 031), which
 * holds the owner's row (SELECT … FOR UPDATE) for that call only: two concurrent scales of one owner
 * cannot both slip under the limit, across controllers too. The rule itself (processes after the
 * scale within the limit; scaling down always allowed) is decided there once; this service words
 * its answer.
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
   * app as it was. Values go as parameters: any string is safe here; ill-formed ones are refused.
   */
  async scale(
    ownerId: string,
    appId: string,
    updates: { type: string; quantity: number }[],
    o: { audit: Scale['audit']; explain: (app: ScaledApp) => void },
  ): Promise<{ formation: FormationRow[]; app: ScaledApp }> {
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
    const r = await scaleFormation(this.pool, { ownerId, appId, updates, defaultProcesses: this.defaultProcesses, audit: o.audit });
    if (r.refused === 'no_owner') throw new AppError('user_not_found', 'the owner of this app no longer exists');
    if (r.refused === 'quota') {
      throw quotaExceeded(
        `cannot scale to ${plural(r.processesAfter, 'process', 'processes')} across ${r.email}'s apps: the quota of ${plural(r.limit, 'process', 'processes')} would be exceeded`,
      );
    }
    const app: ScaledApp = { formation: r.formation, release: r.release };
    if (r.refused) {
      o.explain(app);
      throw new AppError('internal', `scaling was refused (${r.refused})`);
    }
    return { formation: r.after, app };
  }
}

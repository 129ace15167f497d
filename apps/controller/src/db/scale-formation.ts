import { isIP } from 'node:net';
import type { Queryable } from './queryable.js';
import type { FormationRow } from './formation.js';
import type { QuotaOverrides, QuotaUsage, ScaledApp } from './quotas.js';

/** Why a scale was refused: no such owner, the app has no release, a type its release lacks, or the processes quota. */
export type ScaleRefusal = 'no_owner' | 'no_release' | 'unknown_type' | 'quota';

export interface Scale {
  ownerId: string;
  appId: string;
  updates: { type: string; quantity: number }[];
  /** The platform's processes quota, for owners with none of their own. */
  defaultProcesses: number;
  /** Who scales, for the audit event (their email is read from their user row). */
  audit: { actorId: string | null; app: string; ip: string | undefined; details: Record<string, unknown> };
}

/** What `paas_scale_formation` answers: the verdict, and the state it was made on. */
export interface ScaleOutcome extends ScaledApp {
  refused: ScaleRefusal | null;
  email: string;
  overrides: QuotaOverrides;
  usage: QuotaUsage;
  /** The owner's processes quota in effect, and their processes were the scale made. */
  limit: number;
  processesAfter: number;
  /** The app's whole formation after the write (empty when refused). */
  after: FormationRow[];
}

interface ScaleJson {
  refused: ScaleRefusal | null;
  email?: string;
  overrides?: QuotaOverrides;
  usage?: QuotaUsage;
  formation?: Record<string, number>;
  release?: ScaledApp['release'];
  limit?: number;
  processes_after?: number;
  after?: FormationRow[];
}

/**
 * Locks the owner's row and scales in ONE parameterised call of `paas_scale_formation` (migration
 * 031): its own transaction, one round trip. Every value travels as a parameter.
 */
export async function scaleFormation(db: Queryable, o: Scale): Promise<ScaleOutcome> {
  const { rows } = await db.query<{ r: ScaleJson }>('SELECT paas_scale_formation($1, $2, $3, $4, $5, $6, $7, $8, $9) AS r', [
    o.ownerId,
    o.appId,
    o.updates.map((u) => u.type),
    o.updates.map((u) => u.quantity),
    o.defaultProcesses,
    o.audit.actorId,
    o.audit.app,
    o.audit.ip && isIP(o.audit.ip) ? o.audit.ip : null,
    JSON.stringify(o.audit.details),
  ]);
  const r = rows[0]!.r;
  return {
    refused: r.refused,
    email: r.email ?? '',
    overrides: r.overrides ?? { apps: null, processes: null, memory_mb: null, builds: null },
    usage: r.usage ?? { apps: 0, processes: 0, builds: 0 },
    formation: r.formation ?? {},
    release: r.release ?? null,
    limit: r.limit ?? 0,
    processesAfter: r.processes_after ?? 0,
    after: r.after ?? [],
  };
}

import { isIP } from 'node:net';
import type pg from 'pg';
import { setFormationSql, type FormationRow } from './formation.js';
import { execution, prepared, runBatch } from './sql-batch.js';

/** Who scales, for the audit event (their email is read from their user row). */
export interface ScaleAudit {
  actorId: string | null;
  app: string;
  ip: string | undefined;
  details: Record<string, unknown>;
}

const setFormationStatement = prepared('set_formation', setFormationSql);
const auditStatement = prepared(
  'audit_formation_update',
  `INSERT INTO audit_events (actor_id, actor_email, action, app, target_user, ip, details)
   SELECT $1::uuid, (SELECT email FROM users WHERE id = $1::uuid), 'formation.update', $2::text, NULL, $3::text, $4::jsonb`,
);

/**
 * In the transaction `client` holds (the owner's row locked: QuotaService's beginAndLockUser), writes
 * the quantities and the audit event and commits, in ONE round trip (a pipelined batch, every value a
 * parameter). Answers the app's whole formation after the write.
 */
export async function writeScaleAndCommit(
  client: pg.ClientBase,
  appId: string,
  updates: readonly { type: string; quantity: number }[],
  audit: ScaleAudit,
): Promise<FormationRow[]> {
  const [written] = await runBatch(client, [
    execution(setFormationStatement, [appId, updates.map((u) => u.type), updates.map((u) => u.quantity)]),
    execution(auditStatement, [audit.actorId, audit.app, audit.ip && isIP(audit.ip) ? audit.ip : null, audit.details]),
    'COMMIT',
  ]);
  return written!.rows as FormationRow[];
}

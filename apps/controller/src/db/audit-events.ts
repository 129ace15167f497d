import type { Queryable } from './queryable.js';

export interface AuditEventRow {
  id: string;
  created_at: Date;
  actor_email: string | null;
  action: string;
  app: string | null;
  target_user: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export interface NewAuditEvent {
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  app?: string | null;
  targetUser?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

export async function insertAuditEvent(db: Queryable, e: NewAuditEvent): Promise<void> {
  await db.query(
    `INSERT INTO audit_events (actor_id, actor_email, action, app, target_user, ip, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [e.actorId, e.actorEmail, e.action, e.app ?? null, e.targetUser ?? null, e.ip ?? null, JSON.stringify(e.details ?? {})],
  );
}

export interface AuditFilter {
  /** Actor or target user email. */
  user?: string | undefined;
  app?: string | undefined;
  /** An action, or a prefix ending in `.` (e.g. `app.`). */
  action?: string | undefined;
  /** Events with ids below this one (the cursor of the previous page). */
  before?: string | undefined;
  limit: number;
}

/** Newest first. */
export async function listAuditEvents(db: Queryable, f: AuditFilter): Promise<AuditEventRow[]> {
  const escaped = f.action?.replace(/[\\%_]/g, '\\$&');
  const action = escaped !== undefined && escaped.endsWith('.') ? `${escaped}%` : escaped;
  const { rows } = await db.query<AuditEventRow>(
    `SELECT id::text, created_at, actor_email, action, app, target_user, ip, details FROM audit_events
      WHERE ($1::text IS NULL OR actor_email = $1 OR target_user = $1)
        AND ($2::text IS NULL OR app = $2)
        AND ($3::text IS NULL OR action LIKE $3)
        AND ($4::bigint IS NULL OR id < $4)
      ORDER BY audit_events.id DESC LIMIT $5`,
    [f.user?.toLowerCase() ?? null, f.app ?? null, action ?? null, f.before ?? null, f.limit],
  );
  return rows;
}

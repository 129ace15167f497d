import type { Queryable } from './queryable.js';

/** Capabilities an operator may give back to one app: at most the engine's default set (migrations/035). */
export const loosenableCapabilities = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'NET_RAW',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
] as const;

/** The operator's loosening of one app's container hardening; null fields keep the platform's default. */
export interface AppHardening {
  cap_add: string[];
  /** null: PAAS_APP_PIDS_LIMIT. */
  pids_limit: number | null;
  /** Run an image whose user is root as root (the default runs it as 10000). */
  image_user: boolean;
  no_new_privileges: boolean;
  reason: string;
}

export interface AppHardeningRow extends AppHardening {
  updated_by: string | null;
  updated_at: Date;
}

export async function getAppHardening(db: Queryable, appId: string): Promise<AppHardeningRow | undefined> {
  const { rows } = await db.query<AppHardeningRow>(
    `SELECT h.cap_add, h.pids_limit, h.image_user, h.no_new_privileges, h.reason, u.email AS updated_by, h.updated_at
       FROM app_hardening h LEFT JOIN users u ON u.id = h.updated_by WHERE h.app_id = $1`,
    [appId],
  );
  return rows[0];
}

/** The loosening of the app named, for the runtime (undefined: none). */
export async function hardeningOfApp(db: Queryable, app: string): Promise<AppHardening | undefined> {
  const { rows } = await db.query<AppHardening>(
    'SELECT h.cap_add, h.pids_limit, h.image_user, h.no_new_privileges, h.reason FROM app_hardening h JOIN apps a ON a.id = h.app_id WHERE a.name = $1',
    [app],
  );
  return rows[0];
}

export async function setAppHardening(db: Queryable, appId: string, h: AppHardening, userId: string): Promise<void> {
  await db.query(
    `INSERT INTO app_hardening (app_id, cap_add, pids_limit, image_user, no_new_privileges, reason, updated_by, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now())
     ON CONFLICT (app_id) DO UPDATE SET cap_add = $2, pids_limit = $3, image_user = $4, no_new_privileges = $5, reason = $6, updated_by = $7, updated_at = now()`,
    [appId, [...new Set(h.cap_add)].sort(), h.pids_limit, h.image_user, h.no_new_privileges, h.reason, userId],
  );
}

/** Back to the defaults; returns whether there was a loosening. */
export async function clearAppHardening(db: Queryable, appId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM app_hardening WHERE app_id = $1', [appId]);
  return (rowCount ?? 0) > 0;
}

import type { ProcessTypes } from '@paas/shared';
import { releaseConfigContext } from '../auth/sealed-config-context.js';
import type { Queryable } from './queryable.js';
import { type SecretBox } from '@paas/shared';

export type ReleaseStatus = 'pending' | 'succeeded' | 'failed';

export interface ReleaseRow {
  id: string;
  app_id: string;
  version: number;
  build_id: string | null;
  image: string;
  config: Record<string, string>;
  process_types: ProcessTypes;
  description: string;
  user_id: string | null;
  user_email: string | null;
  status: ReleaseStatus;
  /** app.json of the commit, when it had one (health checks). */
  app_json: Record<string, unknown> | null;
  created_at: Date;
  /** The port its image listens on when the build decided it (a Dockerfile's EXPOSE); null: the default. */
  port: number | null;
}

const select = `SELECT r.id, r.app_id, r.version, r.build_id, r.image, r.config_enc, r.process_types, r.description,
  r.user_id, u.email AS user_email, r.status, r.app_json, r.created_at, b.port
  FROM releases r LEFT JOIN users u ON u.id = r.user_id LEFT JOIN builds b ON b.id = r.build_id`;

export interface NewRelease {
  appId: string;
  version: number;
  buildId: string | null;
  image: string;
  config: Record<string, string>;
  processTypes: ProcessTypes;
  description: string;
  userId: string | null;
  appJson?: Record<string, unknown> | null;
}

type StoredRelease = Omit<ReleaseRow, 'config'> & { config_enc: Buffer };

/** The release with its config snapshot decrypted. */
function opened(cipher: SecretBox, row: StoredRelease): ReleaseRow {
  const { config_enc: sealed, ...rest } = row;
  return { ...rest, config: cipher.decryptJson<Record<string, string>>(sealed, releaseConfigContext(row.app_id, row.version)) };
}

/** Stores a release; its config snapshot is encrypted. */
export async function insertRelease(db: Queryable, cipher: SecretBox, r: NewRelease): Promise<ReleaseRow> {
  const sealed = cipher.encryptJson(r.config, releaseConfigContext(r.appId, r.version));
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO releases (app_id, version, build_id, image, config_enc, process_types, description, user_id, app_json)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      r.appId,
      r.version,
      r.buildId,
      r.image,
      sealed,
      JSON.stringify(r.processTypes),
      r.description,
      r.userId,
      r.appJson ? JSON.stringify(r.appJson) : null,
    ],
  );
  return (await getReleaseById(db, cipher, rows[0]!.id))!;
}

export async function getReleaseById(db: Queryable, cipher: SecretBox, id: string): Promise<ReleaseRow | undefined> {
  const { rows } = await db.query<StoredRelease>(`${select} WHERE r.id = $1`, [id]);
  return rows[0] && opened(cipher, rows[0]);
}

export async function setReleaseStatus(db: Queryable, id: string, status: ReleaseStatus): Promise<void> {
  await db.query('UPDATE releases SET status = $2 WHERE id = $1', [id, status]);
}

/** Takes or renews the lease on a release being deployed for `holder`, until `seconds` from now. False when it is no longer pending. */
export async function renewReleaseLease(db: Queryable, id: string, holder: string, seconds: number): Promise<boolean> {
  const res = await db.query(
    `UPDATE releases SET lease_holder = $2, lease_expires_at = now() + make_interval(secs => $3) WHERE id = $1 AND status = 'pending'`,
    [id, holder, seconds],
  );
  return (res.rowCount ?? 0) > 0;
}

/** The deploy's switch: the release succeeds unless its lease ran out and another controller failed it meanwhile. */
export async function promoteRelease(db: Queryable, id: string): Promise<boolean> {
  const res = await db.query("UPDATE releases SET status = 'succeeded', lease_expires_at = NULL WHERE id = $1 AND status = 'pending'", [id]);
  return (res.rowCount ?? 0) > 0;
}

/**
 * Releases whose deploy's controller died (their lease ran out) fail; the next reconcile pass of
 * their app stops their processes (the release before kept serving). Returns their apps and versions.
 */
export async function failAbandonedReleases(db: Queryable): Promise<{ app: string; version: number }[]> {
  const { rows } = await db.query<{ name: string; version: number }>(
    `UPDATE releases r SET status = 'failed' FROM apps a
      WHERE a.id = r.app_id AND r.status = 'pending' AND r.lease_expires_at < now() RETURNING a.name, r.version`,
  );
  return rows.map((r) => ({ app: r.name, version: r.version }));
}

/** The release serving the app: the newest one that succeeded. */
export async function currentRelease(db: Queryable, cipher: SecretBox, appId: string): Promise<ReleaseRow | undefined> {
  const { rows } = await db.query<StoredRelease>(currentReleaseSql, [appId]);
  return currentReleaseOf(cipher, rows);
}

/** currentRelease's statement ($1: the app id), for a batch; currentReleaseOf reads its rows. */
export const currentReleaseSql = `${select} WHERE r.app_id = $1::uuid AND r.status = 'succeeded' ORDER BY r.version DESC LIMIT 1`;

export function currentReleaseOf(cipher: SecretBox, rows: unknown[]): ReleaseRow | undefined {
  return rows[0] ? opened(cipher, rows[0] as StoredRelease) : undefined;
}

/** Newest first, `limit` of them below version `before` (the cursor of the previous page). */
export async function listReleases(
  db: Queryable,
  cipher: SecretBox,
  appId: string,
  limit = 50,
  before?: number,
): Promise<ReleaseRow[]> {
  const { rows } = await db.query<StoredRelease>(
    `${select} WHERE r.app_id = $1 AND ($3::int IS NULL OR r.version < $3) ORDER BY r.version DESC LIMIT $2`,
    [appId, limit, before ?? null],
  );
  return rows.map((r) => opened(cipher, r));
}

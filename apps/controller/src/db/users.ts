import type { Queryable } from './queryable.js';
import { appForUserSql, type AppRelation, type AppRow } from './apps.js';

export type Role = 'admin' | 'user';

export interface User {
  id: string;
  email: string;
  role: Role;
  created_at: Date;
  /** Set when an admin disabled the account: every token stops working. */
  disabled_at: Date | null;
  /** Session JWTs carry this; bumping it revokes them all. */
  token_version: number;
  /** The web console's language (`en`, `zh-CN`). */
  locale: string;
}

export interface UserWithHash extends User {
  password_hash: string;
}

const columns = 'id, email, role, created_at, disabled_at, token_version, locale';
const qualified = columns
  .split(', ')
  .map((c) => `u.${c}`)
  .join(', ');

export async function createUser(db: Queryable, email: string, passwordHash: string, role: Role): Promise<User> {
  const { rows } = await db.query<User>(
    `INSERT INTO users (email, password_hash, role) VALUES ($1, $2, $3) RETURNING ${columns}`,
    [email.toLowerCase(), passwordHash, role],
  );
  return rows[0]!;
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserWithHash | undefined> {
  const { rows } = await db.query<UserWithHash>(`SELECT ${columns}, password_hash FROM users WHERE email = $1`, [
    email.toLowerCase(),
  ]);
  return rows[0];
}

export async function findUserById(db: Queryable, id: string): Promise<User | undefined> {
  const { rows } = await db.query<User>(`SELECT ${columns} FROM users WHERE id = $1`, [id]);
  return rows[0];
}

/** The user a session JWT names, and whether that session (its `jti`) was revoked: one round trip. */
export async function findUserOfSession(db: Queryable, id: string, jti: string | null): Promise<(User & { revoked: boolean }) | undefined> {
  const { rows } = await db.query<User & { revoked: boolean }>(
    `SELECT ${columns}, ($2::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM revoked_sessions WHERE jti = $2::uuid)) AS revoked
       FROM users WHERE id = $1`,
    [id, jti],
  );
  return rows[0];
}

const userOfSessionWithAppSql = `SELECT ${columns.split(', ').map((c) => `u.${c} AS "user.${c}"`).join(', ')},
        ($2::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM revoked_sessions WHERE jti = $2::uuid)) AS "user.revoked", app.*
       FROM users u LEFT JOIN LATERAL (${appForUserSql('$3', 'u.id')}) app ON true
      WHERE u.id = $1`;

/**
 * What an app route needs first, in ONE round trip: the user a session JWT names, whether the session
 * was revoked, and the app `appName` with the user's relation to it (none when there is no such app).
 */
export async function findUserOfSessionWithApp(
  db: Queryable,
  id: string,
  jti: string | null,
  appName: string,
): Promise<{ user: User & { revoked: boolean }; app: (AppRow & { relation: AppRelation }) | undefined } | undefined> {
  // Named: prepared once per connection (every app request authenticates with it).
  const { rows } = await db.query<Record<string, unknown>>({ name: 'paas_user_of_session_with_app', text: userOfSessionWithAppSql, values: [id, jti, appName] });
  const row = rows[0];
  if (!row) return undefined;
  const user: Record<string, unknown> = {};
  const app: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k.startsWith('user.')) user[k.slice(5)] = v;
    else app[k] = v;
  }
  return {
    user: user as unknown as User & { revoked: boolean },
    app: app['id'] == null ? undefined : (app as unknown as AppRow & { relation: AppRelation }),
  };
}

/** Revokes one session (`paas logout`): its token fails from the next request on. Forgets expired ones. */
export async function revokeSession(db: Queryable, jti: string, userId: string, expiresAt: Date): Promise<void> {
  await db.query(
    `WITH gone AS (DELETE FROM revoked_sessions WHERE expires_at < now())
     INSERT INTO revoked_sessions (jti, user_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT (jti) DO NOTHING`,
    [jti, userId, expiresAt],
  );
}

/** Revokes every session of the user (their token_version moves on). */
export async function revokeAllSessions(db: Queryable, userId: string): Promise<void> {
  await db.query('UPDATE users SET token_version = token_version + 1 WHERE id = $1', [userId]);
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user named by id or by email, as the admin API and the CLI name them. */
export async function findUserByIdOrEmail(db: Queryable, idOrEmail: string): Promise<User | undefined> {
  if (uuidPattern.test(idOrEmail)) return findUserById(db, idOrEmail);
  const { rows } = await db.query<User>(`SELECT ${columns} FROM users WHERE email = $1`, [idOrEmail.toLowerCase()]);
  return rows[0];
}

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM users');
  return Number(rows[0]!.n);
}

/** Users by email, `limit` of them after `after` (an email), for the admin list. */
export async function listUsers(db: Queryable, limit: number, after?: string): Promise<User[]> {
  const { rows } = await db.query<User>(
    `SELECT ${columns} FROM users WHERE ($1::text IS NULL OR email > $1) ORDER BY email LIMIT $2`,
    [after ?? null, limit],
  );
  return rows;
}

/** Disables (or enables) a user; disabling revokes their sessions and deletes their API tokens. */
export async function setUserDisabled(db: Queryable, id: string, disabled: boolean): Promise<User | undefined> {
  const { rows } = await db.query<User>(
    `UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) ELSE NULL END,
       token_version = token_version + CASE WHEN $2 THEN 1 ELSE 0 END
     WHERE id = $1 RETURNING ${columns}`,
    [id, disabled],
  );
  if (disabled && rows[0]) await db.query('DELETE FROM api_tokens WHERE user_id = $1', [id]);
  return rows[0];
}

export interface ApiTokenRow {
  id: string;
  description: string;
  created_at: Date;
  last_used_at: Date | null;
}

export async function insertApiToken(db: Queryable, userId: string, tokenHash: string, description: string): Promise<ApiTokenRow> {
  const { rows } = await db.query<ApiTokenRow>(
    `INSERT INTO api_tokens (user_id, token_hash, description) VALUES ($1, $2, $3)
     RETURNING id, description, created_at, last_used_at`,
    [userId, tokenHash, description],
  );
  return rows[0]!;
}

export async function listApiTokens(db: Queryable, userId: string): Promise<ApiTokenRow[]> {
  const { rows } = await db.query<ApiTokenRow>(
    'SELECT id, description, created_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at, id',
    [userId],
  );
  return rows;
}

/** Deletes one of the user's tokens; it stops working on the next request. */
export async function deleteApiToken(db: Queryable, userId: string, id: string): Promise<ApiTokenRow | undefined> {
  if (!uuidPattern.test(id)) return undefined;
  const { rows } = await db.query<ApiTokenRow>(
    'DELETE FROM api_tokens WHERE user_id = $1 AND id = $2 RETURNING id, description, created_at, last_used_at',
    [userId, id],
  );
  return rows[0];
}

/** The enabled user an API token belongs to (and marks the token used, at most once a minute). */
export async function findUserByTokenHash(db: Queryable, tokenHash: string): Promise<User | undefined> {
  const { rows } = await db.query<User & { stale: boolean; token_id: string }>(
    `SELECT ${qualified}, t.id AS token_id,
        (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute') AS stale
       FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = $1 AND u.disabled_at IS NULL`,
    [tokenHash],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { stale, token_id: tokenId, ...user } = row;
  if (stale) await db.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [tokenId]);
  return user;
}

/** Sets the user's console language; the user as it is now. */
export async function setUserLocale(db: Queryable, userId: string, locale: string): Promise<User | undefined> {
  const { rows } = await db.query<User>(`UPDATE users SET locale = $2 WHERE id = $1 RETURNING ${columns}`, [userId, locale]);
  return rows[0];
}

/** Gives a user the admin role or takes it away; the user as it is now. */
export async function setUserRole(db: Queryable, id: string, role: Role): Promise<User | undefined> {
  const { rows } = await db.query<User>(`UPDATE users SET role = $2 WHERE id = $1 RETURNING ${columns}`, [id, role]);
  return rows[0];
}

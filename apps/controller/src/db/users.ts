import type { Queryable } from './queryable.js';

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
}

export interface UserWithHash extends User {
  password_hash: string;
}

const columns = 'id, email, role, created_at, disabled_at, token_version';
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

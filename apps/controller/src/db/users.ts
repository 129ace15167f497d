import type { Queryable } from './queryable.js';

export type Role = 'admin' | 'user';

export interface User {
  id: string;
  email: string;
  role: Role;
  created_at: Date;
}

export interface UserWithHash extends User {
  password_hash: string;
}

const columns = 'id, email, role, created_at';

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

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM users');
  return Number(rows[0]!.n);
}

export async function insertApiToken(db: Queryable, userId: string, tokenHash: string, description: string): Promise<void> {
  await db.query('INSERT INTO api_tokens (user_id, token_hash, description) VALUES ($1, $2, $3)', [
    userId,
    tokenHash,
    description,
  ]);
}

export async function findUserByTokenHash(db: Queryable, tokenHash: string): Promise<User | undefined> {
  const { rows } = await db.query<User>(
    `UPDATE api_tokens t SET last_used_at = now() FROM users u
      WHERE t.token_hash = $1 AND u.id = t.user_id
      RETURNING u.id, u.email, u.role, u.created_at`,
    [tokenHash],
  );
  return rows[0];
}

import { PasswordPool } from './password-pool.js';

/** bcrypt with cost 10: slow enough to resist guessing, fast enough for logins (~60 ms, on a worker thread). */
const cost = 10;

let pool: PasswordPool | undefined;
/** The process's pool, started on first use (no work at import time). */
function passwordPool(): PasswordPool {
  pool ??= new PasswordPool(2);
  return pool;
}

export function hashPassword(password: string): Promise<string> {
  return passwordPool().hash(password, cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return passwordPool().verify(password, hash);
}

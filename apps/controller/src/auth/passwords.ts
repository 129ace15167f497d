import bcrypt from 'bcryptjs';

/** bcrypt with cost 10: slow enough to resist guessing, fast enough for logins (~60 ms). */
const cost = 10;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

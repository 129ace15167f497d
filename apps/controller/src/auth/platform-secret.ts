import type pg from 'pg';
import { configVarContext, releaseConfigContext } from './sealed-config-context.js';
import type { Queryable } from '../db/queryable.js';
import { type SecretBox } from '@paas/shared';

const checkPlaintext = 'paas platform secret check v1';
const checkContext = 'platform_secret_check';

/** PostgreSQL: undefined table, undefined column (a database from before the migration that adds them). */
const missingSchema = new Set(['42P01', '42703']);

async function rowsOrNone<T extends pg.QueryResultRow>(db: Queryable, sql: string): Promise<T[]> {
  try {
    return (await db.query<T>(sql)).rows;
  } catch (err) {
    if (missingSchema.has((err as { code?: string }).code ?? '')) return [];
    throw err;
  }
}

/** The platform was started with another secret than the database's: nothing encrypted would open. */
export class SecretMismatchError extends Error {
  constructor() {
    super(
    'PAAS_SECRET is not the secret this database was set up with, so its encrypted config vars cannot be read. ' +
      'Start the platform with the PAAS_HOME (its file `secret`) or the PAAS_SECRET it was first started with, ' +
      'or point DATABASE_URL at a new database.',
    );
    this.name = 'SecretMismatchError';
  }
}

function opens(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses (SecretMismatchError) when the database holds values sealed with another platform secret:
 * its check value (migration 011) when it has one, else any stored ciphertext. Safe on a database of
 * any schema version, so it can run before the migrations.
 */
export async function assertPlatformSecret(db: Queryable, cipher: SecretBox): Promise<void> {
  const [check] = await rowsOrNone<{ sealed: Buffer }>(db, 'SELECT sealed FROM platform_secret_check');
  if (check) {
    if (!opens(() => cipher.decrypt(check.sealed, checkContext))) throw new SecretMismatchError();
    return;
  }
  const [v] = await rowsOrNone<{ app_id: string; key: string; value_enc: Buffer }>(
    db,
    'SELECT app_id, key, value_enc FROM config_vars WHERE value_enc IS NOT NULL LIMIT 1',
  );
  if (v && !opens(() => cipher.decrypt(v.value_enc, configVarContext(v.app_id, v.key)))) throw new SecretMismatchError();
  const [r] = await rowsOrNone<{ app_id: string; version: number; config_enc: Buffer }>(
    db,
    'SELECT app_id, version, config_enc FROM releases WHERE config_enc IS NOT NULL LIMIT 1',
  );
  if (r && !opens(() => cipher.decrypt(r.config_enc, releaseConfigContext(r.app_id, r.version)))) throw new SecretMismatchError();
}

/** Stores the check value of this secret when there is none, then checks against the one stored. */
export async function recordPlatformSecret(db: Queryable, cipher: SecretBox): Promise<void> {
  await db.query('INSERT INTO platform_secret_check (id, sealed) VALUES (true, $1) ON CONFLICT (id) DO NOTHING', [
    cipher.encrypt(checkPlaintext, checkContext),
  ]);
  await assertPlatformSecret(db, cipher);
}

import { configVarContext, releaseConfigContext } from '../auth/sealed-config-context.js';
import type { Queryable } from './queryable.js';
import { type SecretBox, sealedOverhead } from '@paas/shared';

/** An app's config vars, decrypted. */
export async function getConfigVars(db: Queryable, cipher: SecretBox, appId: string): Promise<Record<string, string>> {
  const { rows } = await db.query<{ key: string; value_enc: Buffer }>(
    'SELECT key, value_enc FROM config_vars WHERE app_id = $1 ORDER BY key',
    [appId],
  );
  return Object.fromEntries(rows.map((r) => [r.key, cipher.decrypt(r.value_enc, configVarContext(appId, r.key))]));
}

/** How many config vars the app has, and the UTF-8 bytes of their names and values together. */
export async function configVarTotals(db: Queryable, appId: string): Promise<{ count: number; bytes: number }> {
  const { rows } = await db.query<{ count: number; bytes: number }>(
    `SELECT count(*)::int AS count, coalesce(sum(octet_length(key) + octet_length(value_enc) - $2), 0)::int AS bytes
     FROM config_vars WHERE app_id = $1`,
    [appId, sealedOverhead],
  );
  return rows[0] ?? { count: 0, bytes: 0 };
}

/** Sets (string) and unsets (null) keys in one statement each; values are stored encrypted. */
export async function updateConfigVars(
  db: Queryable,
  cipher: SecretBox,
  appId: string,
  changes: Record<string, string | null>,
): Promise<void> {
  const set = Object.entries(changes).filter((e): e is [string, string] => e[1] !== null);
  const unset = Object.entries(changes).filter(([, v]) => v === null).map(([k]) => k);
  if (set.length) {
    await db.query(
      `INSERT INTO config_vars (app_id, key, value_enc)
       SELECT $1, k, v FROM unnest($2::text[], $3::bytea[]) AS t(k, v)
       ON CONFLICT (app_id, key) DO UPDATE SET value_enc = EXCLUDED.value_enc`,
      [appId, set.map(([k]) => k), set.map(([k, v]) => cipher.encrypt(v, configVarContext(appId, k)))],
    );
  }
  if (unset.length) await db.query('DELETE FROM config_vars WHERE app_id = $1 AND key = ANY($2)', [appId, unset]);
}

/**
 * Encrypts config stored in plaintext (rows from before encryption at rest), in config_vars and in
 * the releases' snapshots, and empties the plaintext. Only for a schema from before migration 011,
 * which drops the plaintext columns: db/platform-migrations.ts runs it just before that migration.
 */
export async function encryptStoredConfig(db: Queryable, cipher: SecretBox): Promise<number> {
  let n = 0;
  const vars = await db.query<{ app_id: string; key: string; value: string }>(
    'SELECT app_id, key, value FROM config_vars WHERE value_enc IS NULL',
  );
  for (const r of vars.rows) {
    await db.query('UPDATE config_vars SET value_enc = $3, value = NULL WHERE app_id = $1 AND key = $2', [
      r.app_id,
      r.key,
      cipher.encrypt(r.value, configVarContext(r.app_id, r.key)),
    ]);
    n++;
  }
  const releases = await db.query<{ id: string; app_id: string; version: number; config: Record<string, string> }>(
    'SELECT id, app_id, version, config FROM releases WHERE config_enc IS NULL',
  );
  for (const r of releases.rows) {
    await db.query(`UPDATE releases SET config_enc = $2, config = '{}' WHERE id = $1`, [
      r.id,
      cipher.encryptJson(r.config, releaseConfigContext(r.app_id, r.version)),
    ]);
    n++;
  }
  return n;
}

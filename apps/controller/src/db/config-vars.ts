import type { Queryable } from './queryable.js';

export async function getConfigVars(db: Queryable, appId: string): Promise<Record<string, string>> {
  const { rows } = await db.query<{ key: string; value: string }>(
    'SELECT key, value FROM config_vars WHERE app_id = $1 ORDER BY key',
    [appId],
  );
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/** Sets (string) and unsets (null) keys in one statement each. */
export async function updateConfigVars(db: Queryable, appId: string, changes: Record<string, string | null>): Promise<void> {
  const set = Object.entries(changes).filter((e): e is [string, string] => e[1] !== null);
  const unset = Object.entries(changes).filter(([, v]) => v === null).map(([k]) => k);
  if (set.length) {
    await db.query(
      `INSERT INTO config_vars (app_id, key, value)
       SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS t(k, v)
       ON CONFLICT (app_id, key) DO UPDATE SET value = EXCLUDED.value`,
      [appId, set.map(([k]) => k), set.map(([, v]) => v)],
    );
  }
  if (unset.length) await db.query('DELETE FROM config_vars WHERE app_id = $1 AND key = ANY($2)', [appId, unset]);
}

import type { Queryable } from './queryable.js';

export interface FormationRow {
  type: string;
  quantity: number;
  /** Per-process memory limit in MB (null: none). */
  memory_mb?: number | null;
  /** Per-process CPU limit in cores (null: none). */
  cpus?: number | null;
}

export const getFormationSql = 'SELECT type, quantity, memory_mb, cpus::float8 AS cpus FROM formation WHERE app_id = $1 ORDER BY type';

export async function getFormation(db: Queryable, appId: string): Promise<FormationRow[]> {
  const { rows } = await db.query<FormationRow>(getFormationSql, [appId]);
  return rows;
}

/** Sets quantities ($1 the app, $2 the types, $3 their quantities) and answers the app's whole formation after it. */
export const setFormationSql = `WITH updated AS (
       INSERT INTO formation (app_id, type, quantity) SELECT $1::uuid, t, q FROM unnest($2::text[], $3::int[]) AS u(t, q)
       ON CONFLICT (app_id, type) DO UPDATE SET quantity = EXCLUDED.quantity
       RETURNING type, quantity, memory_mb, cpus::float8 AS cpus)
     SELECT * FROM updated
     UNION ALL
     SELECT type, quantity, memory_mb, cpus::float8 FROM formation WHERE app_id = $1::uuid AND type <> ALL ($2::text[])
     ORDER BY type`;

/** Sets the quantities of the given types (one statement) and answers the app's whole formation after it. */
export async function setFormation(db: Queryable, appId: string, updates: FormationRow[]): Promise<FormationRow[]> {
  const { rows } = await db.query<FormationRow>(setFormationSql, [appId, updates.map((u) => u.type), updates.map((u) => u.quantity)]);
  return rows;
}

/** On an app's first release, Heroku runs one web process: add `web: 1` if the type exists and nothing was set. */
export async function initFormation(db: Queryable, appId: string, processTypes: string[]): Promise<void> {
  if (!processTypes.includes('web')) return;
  await db.query('INSERT INTO formation (app_id, type, quantity) VALUES ($1, $2, 1) ON CONFLICT DO NOTHING', [appId, 'web']);
}

/** Sets per-process limits of a type (creating the row at quantity 0 when the type was never scaled). */
export async function setLimits(db: Queryable, appId: string, type: string, limits: { memoryMb?: number | null; cpus?: number | null }): Promise<void> {
  await db.query(
    `INSERT INTO formation (app_id, type, quantity, memory_mb, cpus) VALUES ($1, $2, 0, $3, $4)
     ON CONFLICT (app_id, type) DO UPDATE SET
       memory_mb = CASE WHEN $5 THEN EXCLUDED.memory_mb ELSE formation.memory_mb END,
       cpus = CASE WHEN $6 THEN EXCLUDED.cpus ELSE formation.cpus END`,
    [appId, type, limits.memoryMb ?? null, limits.cpus ?? null, limits.memoryMb !== undefined, limits.cpus !== undefined],
  );
}

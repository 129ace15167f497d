import type { Queryable } from './queryable.js';

export interface FormationRow {
  type: string;
  quantity: number;
}

export async function getFormation(db: Queryable, appId: string): Promise<FormationRow[]> {
  const { rows } = await db.query<FormationRow>('SELECT type, quantity FROM formation WHERE app_id = $1 ORDER BY type', [
    appId,
  ]);
  return rows;
}

export async function setFormation(db: Queryable, appId: string, updates: FormationRow[]): Promise<void> {
  for (const u of updates) {
    await db.query(
      `INSERT INTO formation (app_id, type, quantity) VALUES ($1, $2, $3)
       ON CONFLICT (app_id, type) DO UPDATE SET quantity = EXCLUDED.quantity`,
      [appId, u.type, u.quantity],
    );
  }
}

/** On an app's first release, Heroku runs one web process: add `web: 1` if the type exists and nothing was set. */
export async function initFormation(db: Queryable, appId: string, processTypes: string[]): Promise<void> {
  if (!processTypes.includes('web')) return;
  await db.query('INSERT INTO formation (app_id, type, quantity) VALUES ($1, $2, 1) ON CONFLICT DO NOTHING', [appId, 'web']);
}

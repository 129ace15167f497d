import type { Queryable } from './queryable.js';

/** Turns an app's maintenance mode on (with its own page, or null for the router's) or off. */
export async function setMaintenance(db: Queryable, appId: string, on: boolean, page: string | null): Promise<void> {
  await db.query(
    `INSERT INTO app_router_settings (app_id, maintenance, maintenance_page) VALUES ($1, $2, $3)
     ON CONFLICT (app_id) DO UPDATE SET maintenance = EXCLUDED.maintenance, maintenance_page = EXCLUDED.maintenance_page, updated_at = now()`,
    [appId, on, on ? page : null],
  );
}

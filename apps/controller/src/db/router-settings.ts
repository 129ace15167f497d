import type { Queryable } from './queryable.js';
import type { RouteSettings } from '../deploy/route-publisher.js';

/** An app's router settings; the defaults when it set none. */
export interface RouterSettingsRow {
  /** Redirect plain HTTP requests to HTTPS (for hosts the routers have a certificate for). */
  https_redirect: boolean;
  /** Request body limit in MB; null: the router's default (PAAS_ROUTER_MAX_BODY_MB). */
  max_body_mb: number | null;
}

export const defaultRouterSettings: RouterSettingsRow = { https_redirect: false, max_body_mb: null };

export async function getRouterSettings(db: Queryable, appId: string): Promise<RouterSettingsRow> {
  const { rows } = await db.query<RouterSettingsRow>('SELECT https_redirect, max_body_mb FROM app_router_settings WHERE app_id = $1', [appId]);
  return rows[0] ?? { ...defaultRouterSettings };
}

/** What an app's route carries besides its router settings: maintenance mode and the app's page for it. */
export interface RouteSettingsRow extends RouterSettingsRow {
  maintenance?: boolean;
  maintenance_page?: string | null;
}

/** The settings of an app by name (for the route publisher), defaults for an unknown app. */
export async function routerSettingsOfApp(db: Queryable, app: string): Promise<RouteSettingsRow> {
  const { rows } = await db.query<RouteSettingsRow>(
    'SELECT s.https_redirect, s.max_body_mb, s.maintenance, s.maintenance_page FROM app_router_settings s JOIN apps a ON a.id = s.app_id WHERE a.name = $1',
    [app],
  );
  return rows[0] ?? { ...defaultRouterSettings };
}

/** Changes the settings given (undefined: unchanged); returns them all. */
export async function updateRouterSettings(db: Queryable, appId: string, patch: Partial<RouterSettingsRow>): Promise<RouterSettingsRow> {
  const { rows } = await db.query<RouterSettingsRow>(
    `INSERT INTO app_router_settings (app_id, https_redirect, max_body_mb)
       VALUES ($1, coalesce($2, false), CASE WHEN $3 THEN $4::integer ELSE NULL END)
     ON CONFLICT (app_id) DO UPDATE SET
       https_redirect = coalesce($2, app_router_settings.https_redirect),
       max_body_mb = CASE WHEN $3 THEN $4::integer ELSE app_router_settings.max_body_mb END,
       updated_at = now()
     RETURNING https_redirect, max_body_mb`,
    [appId, patch.https_redirect ?? null, patch.max_body_mb !== undefined, patch.max_body_mb ?? null],
  );
  return rows[0]!;
}

/** The settings as an app's route carries them (deploy/route-publisher.ts). */
export async function routeSettingsOfApp(db: Queryable, app: string): Promise<RouteSettings> {
  return routeSettings(await routerSettingsOfApp(db, app));
}

/** A settings row as the route publisher takes it. */
export function routeSettings(s: RouteSettingsRow): RouteSettings {
  return { httpsRedirect: s.https_redirect, maxBodyMb: s.max_body_mb, maintenance: s.maintenance ?? false, maintenancePage: s.maintenance_page ?? null };
}

import type { Request } from 'express';
import type { AppRow } from '../../db/apps.js';
import { getRouterSettings } from '../../db/router-settings.js';
import type { ApiContext } from '../context.js';
import { changeRouterSettings } from '../routes/router-routes.js';
import { stableId } from './heroku-json.js';

/**
 * paas's per-app switches as Heroku's app features (`heroku features`, `features:enable`, `labs`):
 * each reads and writes the real setting it names, so enabling one changes what the platform does.
 * Adding one: a name, what it does, and how to read and change it.
 */
export interface AppFeature {
  name: string;
  display_name: string;
  description: string;
  enabled(ctx: ApiContext, app: AppRow): Promise<boolean>;
  set(ctx: ApiContext, app: AppRow, enabled: boolean, req: Request): Promise<void>;
}

export const appFeatures: readonly AppFeature[] = [
  {
    name: 'https-redirect',
    display_name: 'Redirect HTTP to HTTPS',
    description:
      'The routers answer plain-HTTP requests for the app with a redirect to HTTPS, for hosts they have a certificate for (paas router:set --https-redirect).',
    enabled: async (ctx, app) => (await getRouterSettings(ctx.pool, app.id)).https_redirect,
    set: async (ctx, app, enabled, req) => {
      await changeRouterSettings(ctx, app, { https_redirect: enabled }, req);
    },
  },
];

/**
 * Per-account switches: paas has none yet (its account settings are quotas, set by an admin), so
 * `/account/features` is an empty list rather than placeholders.
 */
export const accountFeatures: readonly AppFeature[] = [];

export function featureJson(f: AppFeature, enabled: boolean, docUrl: string, since: Date) {
  return {
    id: stableId('feature', f.name),
    name: f.name,
    display_name: f.display_name,
    description: f.description,
    doc_url: docUrl,
    enabled,
    state: 'general' as const,
    feedback_email: '',
    created_at: since,
    updated_at: since,
  };
}

// The API calls of the lifecycle commands (maintenance mode, release output), kept beside them.
import type { ApiClient, App } from './api-client.js';

const appPath = (app: string): string => `/apps/${encodeURIComponent(app)}`;

export interface ReleaseOutput {
  version: number;
  status: 'pending' | 'succeeded' | 'failed';
  /** null: the release ran no release phase or postdeploy script. */
  output: string | null;
}

/** Turns maintenance mode on or off (Heroku's PATCH /apps/{app}). */
export function setMaintenance(client: ApiClient, app: string, on: boolean): Promise<App> {
  return client.request('PATCH', appPath(app), { maintenance: on });
}

/** Renames an app (Heroku's PATCH /apps/{app} with a name). */
export function renameAppCall(client: ApiClient, app: string, name: string): Promise<App> {
  return client.request('PATCH', appPath(app), { name });
}

export function getReleaseOutput(client: ApiClient, app: string, release: string): Promise<ReleaseOutput> {
  return client.request('GET', `${appPath(app)}/releases/${encodeURIComponent(release)}/output`);
}

export interface CronJob {
  id: string;
  command: string;
  schedule: string;
  next_run_at: string | null;
  last_run: { tick: string; exit_code: number | null; error: string | null; finished_at: string | null } | null;
}

export function listCron(client: ApiClient, app: string): Promise<CronJob[]> {
  return client.request('GET', `${appPath(app)}/cron`);
}

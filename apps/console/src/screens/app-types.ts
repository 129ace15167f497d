// The API's answers as the console reads them (the wire contract is @paas/shared's api-contract).
export interface AppInfo {
  id: string;
  name: string;
  owner: { id: string; email: string };
  created_at: string;
  web_url: string;
  git_url: string;
  current_release: number | null;
  maintenance: boolean;
}
export interface Dyno {
  id: string;
  name: string;
  type: string;
  state: 'up' | 'starting' | 'crashed' | 'down';
  host: string;
  release: { version: number };
  command: string;
  updated_at: string;
  cpu_percent?: number | null;
  memory_mb?: number | null;
  restart_count?: number;
}
export interface Build {
  id: string;
  status: 'pending' | 'building' | 'succeeded' | 'failed';
  commit: string | null;
  buildpack: string | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}
export type AppState = 'running' | 'crashed' | 'deploying' | 'maintenance' | 'idle';

/** One word for an app's state, from its maintenance flag, its latest build and its processes. */
export function appState(app: Pick<AppInfo, 'maintenance'>, dynos: Dyno[], latest: Build | undefined): AppState {
  if (app.maintenance) return 'maintenance';
  if (latest && (latest.status === 'pending' || latest.status === 'building')) return 'deploying';
  if (dynos.some((d) => d.state === 'crashed')) return 'crashed';
  if (dynos.some((d) => d.state === 'starting')) return 'deploying';
  if (dynos.some((d) => d.state === 'up')) return 'running';
  return 'idle';
}

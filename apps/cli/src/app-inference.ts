import { CliError } from './cli-error.js';
import { remoteUrl } from './git.js';

export const defaultRemote = 'paas';

/**
 * The app a git remote URL points at: paas git URLs are `<api_url>/<app>.git`. Undefined for URLs
 * of another shape.
 */
export function appFromRemoteUrl(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const match = /\/([^/]+)\.git\/?$/.exec(path);
  const name = match?.[1];
  return name === undefined || name === '' ? undefined : decodeURIComponent(name);
}

/** Where an app name may come from besides `-a APP` (Heroku's order: -a, -r, the environment, the remote). */
export interface AppSources {
  /** `-r REMOTE`: the app of that git remote. */
  remote?: string | undefined;
  /** PAAS_APP. */
  envApp?: string | undefined;
}

/**
 * `-a APP` when given, else the app of the git remote `-r REMOTE` names, else PAAS_APP, else the app
 * named by the `paas` remote of the git repo around `cwd`.
 */
export async function resolveApp(explicit: string | undefined, cwd: string, sources: AppSources = {}): Promise<string> {
  if (explicit !== undefined && explicit !== '') return explicit;
  if (sources.remote !== undefined) {
    const url = await remoteUrl(cwd, sources.remote);
    if (url === undefined) throw new CliError(`there is no git remote named ${sources.remote} here (see git remote -v)`);
    const app = appFromRemoteUrl(url);
    if (app === undefined) throw new CliError(`the git remote ${sources.remote} (${url}) is not a paas app's git URL`);
    return app;
  }
  if (sources.envApp !== undefined && sources.envApp !== '') return sources.envApp;
  const url = await remoteUrl(cwd, defaultRemote);
  const app = url === undefined ? undefined : appFromRemoteUrl(url);
  if (app === undefined) throw new CliError('no app specified; use -a APP, -r REMOTE, PAAS_APP or run paas git:remote -a APP');
  return app;
}

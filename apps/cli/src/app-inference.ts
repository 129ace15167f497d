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

/** `-a APP` when given, else the app named by the `paas` remote of the git repo around `cwd`. */
export async function resolveApp(explicit: string | undefined, cwd: string): Promise<string> {
  if (explicit !== undefined && explicit !== '') return explicit;
  const url = await remoteUrl(cwd, defaultRemote);
  const app = url === undefined ? undefined : appFromRemoteUrl(url);
  if (app === undefined) throw new CliError('no app specified; use -a APP or run paas git:remote -a APP');
  return app;
}

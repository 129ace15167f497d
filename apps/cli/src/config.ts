import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseEnv } from '@paas/shared';
import { CliError } from './cli-error.js';

/** Blank variables count as unset, so `PAAS_API_TOKEN= paas …` falls back to the config file. */
const optionalString = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z.string().optional(),
);

const envSchema = z.object({
  PAAS_HOME: optionalString,
  PAAS_API_URL: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.string().url('must be a URL such as http://127.0.0.1:5050').optional(),
  ),
  PAAS_API_TOKEN: optionalString,
  PAAS_DEBUG: optionalString,
  PAAS_APP: optionalString,
  BROWSER: optionalString,
});

/** The CLI's view of its environment, parsed once. */
export interface CliEnv {
  /** Absolute path of PAAS_HOME (default `~/.paas`). */
  home: string;
  /** Whether PAAS_HOME was set explicitly (git's credential helper must then carry it along). */
  homeFromEnv: boolean;
  apiUrl: string | undefined;
  apiToken: string | undefined;
  /** PAAS_DEBUG set: print stack traces of unexpected errors. */
  debug: boolean;
  /** PAAS_APP: the app of commands given neither -a nor -r (Heroku's HEROKU_APP). */
  app: string | undefined;
  /** BROWSER: the program `paas open` starts. */
  browser: string | undefined;
}

export function loadCliEnv(env: Record<string, string | undefined>, homeDir: string = homedir()): CliEnv {
  let parsed: z.infer<typeof envSchema>;
  try {
    parsed = parseEnv(envSchema, env);
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  const rawHome = parsed.PAAS_HOME;
  const home =
    rawHome === undefined
      ? join(homeDir, '.paas')
      : resolve(rawHome === '~' || rawHome.startsWith('~/') ? join(homeDir, rawHome.slice(1)) : rawHome);
  return {
    home,
    homeFromEnv: rawHome !== undefined,
    apiUrl: parsed.PAAS_API_URL === undefined ? undefined : trimSlashes(parsed.PAAS_API_URL),
    apiToken: parsed.PAAS_API_TOKEN,
    debug: parsed.PAAS_DEBUG !== undefined && parsed.PAAS_DEBUG !== '0',
    app: parsed.PAAS_APP?.trim(),
    browser: parsed.BROWSER,
  };
}

export function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

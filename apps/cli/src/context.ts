import { ApiClient } from './api-client.js';
import { resolveApp } from './app-inference.js';
import { CliConfigFile, type CliConfig } from './cli-config-file.js';
import { CliError } from './cli-error.js';
import { loadCliEnv, type CliEnv } from './config.js';
import type { Io } from './io.js';
import { Spinner } from './spinner.js';

export const defaultApiUrl = 'http://127.0.0.1:5050';

/** What the CLI needs from the outside world; main.ts passes the real process, tests pass fakes. */
export interface CliDeps {
  io: Io;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Home directory, for the default PAAS_HOME (`~/.paas`). */
  homeDir?: string;
  /** The argv that runs this CLI (the absolute path of bin/paas), for git's credential helper. */
  selfCommand: string[];
  fetch?: typeof fetch;
  now?: () => Date;
  /** This CLI's version (the platform's package version it was built from). */
  version?: string;
}

/** The API URL and token in effect: environment variables override `cli.json`. */
export interface Session {
  apiUrl: string;
  token: string | undefined;
  email: string | undefined;
}

/** Everything a command uses, built once per run. */
export class Context {
  readonly io: Io;
  readonly env: CliEnv;
  readonly cwd: string;
  readonly configFile: CliConfigFile;
  readonly selfCommand: string[];
  private readonly fetchFn: typeof fetch | undefined;
  private readonly nowFn: () => Date;
  readonly version: string | undefined;
  private versionWarned = false;

  constructor(deps: CliDeps) {
    this.io = deps.io;
    this.env = loadCliEnv(deps.env, deps.homeDir);
    this.cwd = deps.cwd;
    this.configFile = new CliConfigFile(this.env.home);
    this.selfCommand = deps.selfCommand;
    this.fetchFn = deps.fetch;
    this.nowFn = deps.now ?? (() => new Date());
    this.version = deps.version;
  }

  /** Warns once a run when the platform at `apiUrl` is of another version than this CLI. */
  private checkPlatformVersion(apiUrl: string, platform: string): void {
    if (this.version === undefined || platform === this.version || this.versionWarned) return;
    this.versionWarned = true;
    this.warn(`paas: this CLI is version ${this.version}, the platform at ${apiUrl} is ${platform}: npm install -g ${apiUrl}/cli/paas-cli.tgz installs its CLI`);
  }

  now(): Date {
    return this.nowFn();
  }

  /** Writes a line to stdout. */
  print(line = ''): void {
    this.io.stdout.write(`${line}\n`);
  }

  printJson(value: unknown): void {
    this.print(JSON.stringify(value, null, 2));
  }

  /** Writes a line to stderr (warnings, notes). */
  warn(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }

  async session(): Promise<Session> {
    return sessionFrom(this.env, await this.configFile.read());
  }

  /** A client for `url` without a token (login); `quiet`: no warning when the platform's version differs. */
  anonymousClient(url: string, token?: string, o: { quiet?: boolean } = {}): ApiClient {
    const onPlatformVersion = o.quiet ? undefined : (v: string): void => this.checkPlatformVersion(url.replace(/\/+$/, ''), v);
    return new ApiClient({ url, token, fetch: this.fetchFn, ...(onPlatformVersion ? { onPlatformVersion } : {}) });
  }

  /** A client with the token in effect; fails when the user is not logged in. */
  async client(): Promise<ApiClient> {
    const session = await this.session();
    if (session.token === undefined) throw new CliError('not logged in; run paas login');
    return new ApiClient({ url: session.apiUrl, token: session.token, fetch: this.fetchFn, onPlatformVersion: (v) => this.checkPlatformVersion(session.apiUrl, v) });
  }

  /** The `-r REMOTE` of this run (taken out of argv before parsing: remote-option.ts). */
  remote: string | undefined;

  /** `-a APP`, else `-r REMOTE`'s app, else PAAS_APP, else the app of the current repo's `paas` git remote. */
  app(explicit: string | undefined): Promise<string> {
    return resolveApp(explicit, this.cwd, { remote: this.remote, envApp: this.env.app });
  }

  /**
   * Heroku's `Doing something... done` line around an action (with a spinner on a terminal when it
   * takes over a second); `suffix` adds to `done`.
   */
  async step<T>(label: string, action: () => Promise<T>, suffix?: (result: T) => Promise<string> | string): Promise<T> {
    this.io.stdout.write(`${label}... `);
    const spinner = new Spinner(this.io.stdout);
    spinner.start();
    let result: T;
    let extra = '';
    try {
      result = await action();
      if (suffix) extra = await suffix(result);
    } catch (err) {
      spinner.stop();
      this.io.stdout.write('!\n');
      throw err;
    }
    spinner.stop();
    this.print(`done${extra}`);
    return result;
  }
}

export function sessionFrom(env: CliEnv, file: CliConfig): Session {
  return {
    apiUrl: (env.apiUrl ?? file.api_url ?? defaultApiUrl).replace(/\/+$/, ''),
    token: env.apiToken ?? (file.token === '' ? undefined : file.token),
    email: file.email,
  };
}

import { CliError } from './cli-error.js';

// The controller's resources, as the CLI sees them (Heroku Platform API shapes).
export interface Account {
  id: string;
  email: string;
  role: string;
}

export interface LoginResult {
  token: string;
  user: Account;
}

export interface App {
  id: string;
  name: string;
  owner: { email: string };
  created_at: string;
  web_url: string;
  git_url: string;
  current_release: number | null;
}

export interface FormationEntry {
  type: string;
  quantity: number;
  /** From the current release's Procfile; null before the first deploy. */
  command: string | null;
}

export interface AppWithFormation extends App {
  formation: FormationEntry[];
}

export type ConfigVars = Record<string, string>;
/** A config-vars PATCH: `null` unsets a key. */
export type ConfigVarsPatch = Record<string, string | null>;

export type DynoState = 'up' | 'starting' | 'crashed' | 'down';

export interface Dyno {
  name: string;
  type: string;
  state: DynoState;
  host: string;
  release: { version: number };
  command: string;
  updated_at: string;
}

export interface Release {
  id: string;
  version: number;
  description: string;
  status: string;
  current: boolean;
  /** Who made it; null for releases the platform made itself. */
  user: { email: string } | null;
  created_at: string;
}

export interface Build {
  id: string;
  status: string;
  commit: string;
  created_at: string;
  finished_at: string | null;
}

/** An error the API answered with: `{ "id": "...", "message": "..." }` and a 4xx/5xx status. */
export class ApiError extends CliError {
  readonly status: number;
  readonly id: string;

  constructor(status: number, id: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.id = id;
  }
}

export interface ApiClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:5050`. */
  url: string;
  token?: string | undefined;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** The typed client of the controller's REST API. */
export class ApiClient {
  readonly url: string;
  private readonly token: string | undefined;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;

  constructor(options: ApiClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.token = options.token;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  login(email: string, password: string): Promise<LoginResult> {
    return this.request('POST', '/auth/login', { email, password });
  }

  account(): Promise<Account> {
    return this.request('GET', '/account');
  }

  listApps(): Promise<App[]> {
    return this.request('GET', '/apps');
  }

  createApp(name: string): Promise<App> {
    return this.request('POST', '/apps', { name });
  }

  getApp(app: string): Promise<AppWithFormation> {
    return this.request('GET', appPath(app));
  }

  destroyApp(app: string): Promise<App> {
    return this.request('DELETE', appPath(app));
  }

  getConfigVars(app: string): Promise<ConfigVars> {
    return this.request('GET', `${appPath(app)}/config-vars`);
  }

  updateConfigVars(app: string, patch: ConfigVarsPatch): Promise<ConfigVars> {
    return this.request('PATCH', `${appPath(app)}/config-vars`, patch);
  }

  getFormation(app: string): Promise<FormationEntry[]> {
    return this.request('GET', `${appPath(app)}/formation`);
  }

  updateFormation(app: string, updates: { type: string; quantity: number }[]): Promise<FormationEntry[]> {
    return this.request('PATCH', `${appPath(app)}/formation`, { updates });
  }

  listDynos(app: string): Promise<Dyno[]> {
    return this.request('GET', `${appPath(app)}/dynos`);
  }

  /** Newest first. */
  listReleases(app: string): Promise<Release[]> {
    return this.request('GET', `${appPath(app)}/releases`);
  }

  /** Newest first. */
  listBuilds(app: string): Promise<Build[]> {
    return this.request('GET', `${appPath(app)}/builds`);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token !== undefined) headers['authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchFn(`${this.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw this.networkError(err);
    }
    const text = await res.text();
    let data: unknown = undefined;
    let isJson = false;
    if (text.trim() !== '') {
      try {
        data = JSON.parse(text);
        isJson = true;
      } catch {
        // handled below
      }
    }
    if (!res.ok) {
      const obj = isJson && typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
      const id = typeof obj['id'] === 'string' ? obj['id'] : `http_${res.status}`;
      const message =
        typeof obj['message'] === 'string' && obj['message'] !== ''
          ? obj['message']
          : `the paas API answered ${res.status} ${res.statusText || ''}`.trimEnd() + ` to ${method} ${path}`;
      throw new ApiError(res.status, id, message);
    }
    if (!isJson) {
      throw new CliError(`the paas API at ${this.url} answered ${method} ${path} with something other than JSON`);
    }
    return data as T;
  }

  private networkError(err: unknown): CliError {
    if (err instanceof Error && err.name === 'TimeoutError') {
      return new CliError(`the paas API at ${this.url} did not answer within ${Math.round(this.timeoutMs / 1000)}s`, {
        cause: err,
      });
    }
    const cause = err instanceof Error ? (err.cause as NodeJS.ErrnoException | undefined) : undefined;
    const code = cause?.code;
    const detail = code !== undefined && code !== 'ECONNREFUSED' ? ` (${code})` : '';
    return new CliError(`cannot reach the paas API at ${this.url}${detail}: is the platform up? (npm run up)`, {
      cause: err,
    });
  }
}

function appPath(app: string): string {
  return `/apps/${encodeURIComponent(app)}`;
}

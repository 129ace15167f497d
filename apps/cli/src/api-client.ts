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
  /** From the latest stats sample: CPU in percent of one core, memory in MB (null before one). */
  cpu_percent?: number | null;
  memory_mb?: number | null;
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
  buildpack?: string | null;
  error?: string | null;
}

/** Heroku's buildpack installation. */
export interface BuildpackInstallation {
  buildpack: { url: string; name: string };
  ordinal: number;
}

export interface BuildWithOutput extends Build {
  output: string;
}

/** Where an app's log is also delivered (Heroku's log-drain), with its delivery counts. */
export interface LogDrain {
  id: string;
  url: string;
  token: string;
  created_at: string;
  status: 'delivering' | 'retrying';
  delivered: number;
  dropped: number;
  last_error: string | null;
}

/** A long-lived API token; `access_token` only in the answer that created it. */
export interface Authorization {
  id: string;
  description: string;
  created_at: string;
  last_used_at: string | null;
  access_token: { token: string } | null;
}

export interface Collaborator {
  app: { id: string; name: string };
  user: { id: string; email: string };
  role: 'owner' | 'collaborator';
  created_at: string;
}

/** One platform process, as `GET /admin/status` reports it. */
import type { ComponentStatus } from '@paas/shared';
export type { ComponentStatus };

export interface AdminUser {
  id: string;
  email: string;
  role: string;
  disabled: boolean;
  created_at: string;
}

export interface QuotaLimits {
  apps: number;
  processes: number;
  memory_mb: number;
  builds: number;
}

export interface Quota {
  user: { id: string; email: string };
  limits: QuotaLimits;
  overrides: { [K in keyof QuotaLimits]: number | null };
  usage: { apps: number; processes: number; builds: number };
}

export interface AuditEvent {
  id: string;
  created_at: string;
  actor: string | null;
  action: string;
  app: string | null;
  user: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  user?: string | undefined;
  app?: string | undefined;
  action?: string | undefined;
  limit?: number | undefined;
}

/** A Docker host of the cluster (admin). */
export interface Host {
  id: string;
  name: string;
  docker_url: string;
  address: string;
  capacity_memory_mb: number | null;
  labels: Record<string, string>;
  tls: boolean;
  /** `up`, `down` or `draining`. */
  status: string;
  draining: boolean;
  last_seen_at: string | null;
  last_error: string | null;
  processes?: number;
  created_at: string;
}

export interface HostDetail extends Host {
  process_list: { app: string; name: string; release: number; state: string; port?: number }[];
}

export interface NewHost {
  name: string;
  docker_url: string;
  address: string;
  capacity_memory_mb?: number;
  labels?: Record<string, string>;
  tls?: { ca?: string; cert: string; key: string };
}

/** Memory (MB) and CPU (cores) limits of a process type; null: none. */
export interface ProcessLimits {
  type: string;
  quantity: number;
  memory_mb: number | null;
  cpus: number | null;
}

/** A hostname that reaches an app: its default `<app>.<PAAS_DOMAIN>`, or a custom one. */
/** How the routers treat an app's requests (`paas router:set`). */
export interface RouterSettings {
  https_redirect: boolean;
  /** Request body limit in MB; null: the router's default. */
  max_body_mb: number | null;
}

export interface Domain {
  id: string;
  hostname: string;
  kind: 'default' | 'custom';
  /** Where a custom domain's DNS should point; null for the default. */
  cname: string | null;
  created_at: string;
}

/** A TLS certificate the routers serve for an app (never its key). */
export interface Cert {
  id: string;
  names: string[];
  subject: string;
  issuer: string;
  fingerprint: string;
  not_before: string;
  expires_at: string;
  created_at: string;
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

  /** Revokes the session token in use on the server (an API token is left alone: revoked is 'none'). */
  logout(): Promise<{ revoked: 'session' | 'all_sessions' | 'none' }> {
    return this.request('DELETE', '/auth/session');
  }

  account(): Promise<Account> {
    return this.request('GET', '/account');
  }

  listApps(): Promise<App[]> {
    return this.listAll('/apps');
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

  /** The app's buildpacks, in order; empty: detection. */
  listBuildpacks(app: string): Promise<BuildpackInstallation[]> {
    return this.request('GET', `${appPath(app)}/buildpack-installations`);
  }

  setBuildpacks(app: string, buildpacks: string[]): Promise<BuildpackInstallation[]> {
    return this.request('PUT', `${appPath(app)}/buildpack-installations`, { updates: buildpacks.map((buildpack) => ({ buildpack })) });
  }

  purgeBuildCache(app: string): Promise<{ message: string }> {
    return this.request('DELETE', `${appPath(app)}/build-cache`);
  }

  listAuthorizations(): Promise<Authorization[]> {
    return this.request('GET', '/account/authorizations');
  }

  createAuthorization(description: string): Promise<Authorization> {
    return this.request('POST', '/account/authorizations', { description });
  }

  revokeAuthorization(id: string): Promise<Authorization> {
    return this.request('DELETE', `/account/authorizations/${encodeURIComponent(id)}`);
  }

  /** The owner first, then the collaborators. */
  listCollaborators(app: string): Promise<Collaborator[]> {
    return this.request('GET', `${appPath(app)}/collaborators`);
  }

  addCollaborator(app: string, email: string): Promise<Collaborator> {
    return this.request('POST', `${appPath(app)}/collaborators`, { user: email });
  }

  removeCollaborator(app: string, email: string): Promise<Collaborator> {
    return this.request('DELETE', `${appPath(app)}/collaborators/${encodeURIComponent(email)}`);
  }

  platformStatus(): Promise<{ components: ComponentStatus[] }> {
    return this.request('GET', '/admin/status');
  }

  listUsers(): Promise<AdminUser[]> {
    return this.listAll('/admin/users');
  }

  createUser(email: string, password: string, admin: boolean): Promise<AdminUser> {
    return this.request('POST', '/admin/users', { email, password, admin });
  }

  disableUser(email: string): Promise<AdminUser> {
    return this.request('POST', `/admin/users/${encodeURIComponent(email)}/disable`);
  }

  getQuota(email: string): Promise<Quota> {
    return this.request('GET', `/admin/users/${encodeURIComponent(email)}/quota`);
  }

  setQuota(email: string, limits: Partial<QuotaLimits>): Promise<Quota> {
    return this.request('PUT', `/admin/users/${encodeURIComponent(email)}/quota`, limits);
  }

  /** Newest first: `limit` events (default 100). */
  listAuditEvents(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined) query.set(k, String(v));
    const qs = query.toString();
    return this.request('GET', `/admin/audit${qs ? `?${qs}` : ''}`);
  }

  listHosts(): Promise<Host[]> {
    return this.request('GET', '/hosts');
  }

  addHost(host: NewHost): Promise<Host> {
    return this.request('POST', '/hosts', host);
  }

  getHost(name: string): Promise<HostDetail> {
    return this.request('GET', `/hosts/${encodeURIComponent(name)}`);
  }

  drainHost(name: string): Promise<Host> {
    return this.request('POST', `/hosts/${encodeURIComponent(name)}/drain`);
  }

  removeHost(name: string, force: boolean): Promise<Host> {
    return this.request('DELETE', `/hosts/${encodeURIComponent(name)}${force ? '?force=true' : ''}`);
  }

  getLimits(app: string): Promise<ProcessLimits[]> {
    return this.request('GET', `${appPath(app)}/limits`);
  }

  setLimits(app: string, limits: { type: string; memory_mb?: number | null; cpus?: number | null }): Promise<ProcessLimits[]> {
    return this.request('PATCH', `${appPath(app)}/limits`, limits);
  }

  /** Restarts all processes, a type (`web`) or one process (`web.1`); answers the processes after. */
  restartDynos(app: string, target?: string): Promise<Dyno[]> {
    return this.request('DELETE', `${appPath(app)}/dynos${target ? `/${encodeURIComponent(target)}` : ''}`);
  }

  /** Stops a process, a type or a one-off; answers what was stopped. */
  stopDynos(app: string, target: string): Promise<Dyno[]> {
    return this.request('POST', `${appPath(app)}/dynos/${encodeURIComponent(target)}/actions/stop`);
  }

  /** Starts a one-off process in the background (`paas run:detached`). */
  runDetached(app: string, command: string): Promise<Dyno> {
    return this.request('POST', `${appPath(app)}/dynos`, { command, attach: false });
  }

  /** `v3`, `3` or a release id. */
  getRelease(app: string, release: string): Promise<Release> {
    return this.request('GET', `${appPath(app)}/releases/${encodeURIComponent(release)}`);
  }

  getReleaseConfigVars(app: string, release: string): Promise<ConfigVars> {
    return this.request('GET', `${appPath(app)}/releases/${encodeURIComponent(release)}/config-vars`);
  }

  /** A new release from an earlier one's image, process types and config vars. */
  rollback(app: string, release: string): Promise<Release> {
    return this.request('POST', `${appPath(app)}/releases`, { release });
  }

  getRouterSettings(app: string): Promise<RouterSettings> {
    return this.request('GET', `${appPath(app)}/router`);
  }

  setRouterSettings(app: string, patch: Partial<RouterSettings>): Promise<RouterSettings> {
    return this.request('PATCH', `${appPath(app)}/router`, patch);
  }

  listDomains(app: string): Promise<Domain[]> {
    return this.request('GET', `${appPath(app)}/domains`);
  }

  addDomain(app: string, hostname: string): Promise<Domain> {
    return this.request('POST', `${appPath(app)}/domains`, { hostname });
  }

  removeDomain(app: string, hostname: string): Promise<Domain> {
    return this.request('DELETE', `${appPath(app)}/domains/${encodeURIComponent(hostname)}`);
  }

  listCerts(app: string): Promise<Cert[]> {
    return this.request('GET', `${appPath(app)}/certs`);
  }

  addCert(app: string, certificateChain: string, privateKey: string): Promise<Cert> {
    return this.request('POST', `${appPath(app)}/certs`, { certificate_chain: certificateChain, private_key: privateKey });
  }

  removeCert(app: string, idOrName: string): Promise<Cert> {
    return this.request('DELETE', `${appPath(app)}/certs/${encodeURIComponent(idOrName)}`);
  }

  getBuild(app: string, id: string): Promise<BuildWithOutput> {
    return this.request('GET', `${appPath(app)}/builds/${encodeURIComponent(id)}`);
  }

  listLogDrains(app: string): Promise<LogDrain[]> {
    return this.request('GET', `${appPath(app)}/log-drains`);
  }

  addLogDrain(app: string, url: string): Promise<LogDrain> {
    return this.request('POST', `${appPath(app)}/log-drains`, { url });
  }

  removeLogDrain(app: string, idOrUrl: string): Promise<LogDrain> {
    return this.request('DELETE', `${appPath(app)}/log-drains/${encodeURIComponent(idOrUrl)}`);
  }

  /** `GET /apps/{app}/logs` as server-sent events (commands/logs.ts reads them): the body once the answer is 200. */
  async openLogStream(app: string, query: Record<string, string>, lastEventId?: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.token !== undefined) headers['authorization'] = `Bearer ${this.token}`;
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    let res: Response;
    try {
      res = await this.fetchFn(`${this.url}${appPath(app)}/logs?${new URLSearchParams(query)}`, { headers, signal });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw this.networkError(err);
    }
    if (res.ok && res.body) return res.body;
    const text = await res.text().catch(() => '');
    let body: { id?: unknown; message?: unknown } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // not JSON
    }
    throw new ApiError(
      res.status,
      typeof body.id === 'string' ? body.id : `http_${res.status}`,
      typeof body.message === 'string' ? body.message : `the paas API answered ${res.status} to GET ${appPath(app)}/logs`,
    );
  }

  /** Every page of a list, following the Next-Cursor header. */
  private async listAll<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const page: { data: T[]; headers: Headers } = await this.exchange<T[]>(
        'GET',
        cursor === null ? path : `${path}${sep}cursor=${encodeURIComponent(cursor)}`,
      );
      if (!Array.isArray(page.data)) throw new CliError(`the paas API answered GET ${path} with something other than a list`);
      items.push(...page.data);
      cursor = page.headers.get('next-cursor');
    } while (cursor);
    return items;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.exchange<T>(method, path, body)).data;
  }

  private async exchange<T>(method: string, path: string, body?: unknown): Promise<{ data: T; headers: Headers }> {
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
    return { data: data as T, headers: res.headers };
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

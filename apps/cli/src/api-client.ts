import { ApiTransport, appPath } from './api-transport.js';
import type {
  Account,
  AdminUser,
  App,
  AppWithFormation,
  AuditEvent,
  AuditFilter,
  Authorization,
  Build,
  BuildpackInstallation,
  BuildWithOutput,
  Cert,
  Collaborator,
  ConfigVars,
  ConfigVarsPatch,
  Domain,
  Dyno,
  FormationEntry,
  Host,
  HostDetail,
  InternalAccess,
  LogDrain,
  LoginResult,
  LogoutResult,
  NewHost,
  PlatformStatusReport,
  ProcessLimits,
  ProcessLimitsPatch,
  Quota,
  QuotaPatch,
  Release,
  RouterSettings,
} from './api-types.js';

export * from './api-types.js';
export { ApiError } from './api-error.js';
export type { ApiClientOptions } from './api-transport.js';

/** The typed client of the controller's REST API: one method per endpoint the CLI uses. */
export class ApiClient extends ApiTransport {
  login(email: string, password: string): Promise<LoginResult> {
    return this.request('POST', '/auth/login', { email, password });
  }

  /** Revokes the session token in use on the server (an API token is left alone: revoked is 'none'). */
  logout(): Promise<LogoutResult> {
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

  platformStatus(): Promise<PlatformStatusReport> {
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

  setQuota(email: string, limits: QuotaPatch): Promise<Quota> {
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

  undrainHost(name: string): Promise<Host> {
    return this.request('POST', `/hosts/${encodeURIComponent(name)}/undrain`);
  }

  removeHost(name: string, force: boolean): Promise<Host> {
    return this.request('DELETE', `/hosts/${encodeURIComponent(name)}${force ? '?force=true' : ''}`);
  }

  getLimits(app: string): Promise<ProcessLimits[]> {
    return this.request('GET', `${appPath(app)}/limits`);
  }

  setLimits(app: string, limits: ProcessLimitsPatch): Promise<ProcessLimits[]> {
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

  listInternalAccess(app: string): Promise<InternalAccess[]> {
    return this.request('GET', `${appPath(app)}/internal-access`);
  }

  allowInternalAccess(app: string, source: string): Promise<InternalAccess[]> {
    return this.request('PUT', `${appPath(app)}/internal-access/${encodeURIComponent(source)}`);
  }

  denyInternalAccess(app: string, source: string): Promise<InternalAccess[]> {
    return this.request('DELETE', `${appPath(app)}/internal-access/${encodeURIComponent(source)}`);
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
}

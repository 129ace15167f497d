import type { VulnService } from '../vulns/vuln-service.js';
import type pg from 'pg';
import type { EgressGuard, Logger } from '@paas/shared';
import type { ControllerConfig } from '../config.js';
import type { TokenService } from '../auth/token-service.js';
import type { AccessServices } from '../auth/access-services.js';
import type { RepoManager } from '../git/repo-manager.js';
import type { GitHttpLimits, PendingPushes } from '../git/git-http.js';
import type { Deployer } from '../deploy/deployer.js';
import type { ReleaseService } from '../deploy/release-service.js';
import type { PushService } from '../deploy/push-service.js';
import type { RuntimeBackend } from '../runtime/runtime-backend.js';
import type { ClusterRuntime } from '../scheduler/cluster-runtime.js';
import type { LogServices } from '../logs/log-services.js';
import type { ControllerMetrics } from '../metrics/controller-metrics.js';
import type { DomainService } from '../domains/domain-service.js';
import type { CertService } from '../domains/cert-service.js';
import type { PlatformStatus } from '../status/platform-status.js';
import type { AddonService } from '../addons/addon-service.js';
import type { AddonServers } from '../addons/addon-servers.js';
import type { PgBackups } from '../addons/pg-backups.js';
import type { VolumeService } from '../volumes/volume-service.js';
import type { AcmeService } from '../acme/acme-service.js';
import type { InternalAccessService } from '../network/internal-access-service.js';
import type { AppRenameService } from '../deploy/app-rename.js';
import type { BuildLogSource } from './routes/build-stream-routes.js';
import type { WebhookService } from '../webhooks/webhook-service.js';
import type { SourceBuilds } from '../deploy/source-build.js';
import type { RateLimiter } from './heroku/rate-limit.js';
import type { LogSessions } from './heroku/log-sessions.js';

/** Everything the HTTP layer needs, wired by hand in main.ts (or by a test). */
import type { HostProvisioner, ProvisionEvent } from '../provision/host-provisioner.js';

export interface ApiContext {
  config: Pick<ControllerConfig, 'domain' | 'router' | 'api'>;
  /** The CLI package served at /cli/paas-cli.tgz (PAAS_CLI_TARBALL; default: where npm run build leaves it). */
  cliTarball?: string;
  pool: pg.Pool;
  tokens: TokenService;
  /** Quotas, the audit log, the login rate limit and the config cipher. */
  access: AccessServices;
  repos: RepoManager;
  pushes: PendingPushes;
  deployer: Deployer;
  releases: ReleaseService;
  pushService: PushService;
  runtime: RuntimeBackend;
  /** The multi-host runtime, when the runtime is one (hosts API). */
  cluster?: ClusterRuntime;
  /** Converges every app with its desired state now (after host changes). */
  reconcileAll: () => Promise<void>;
  /** Secret the pre-receive hooks present on the internal receive endpoint. */
  hookToken: string;
  /** Custom domains (republish the app's route on change). */
  domains: DomainService;
  /** TLS certificates for the routers. */
  certs: CertService;
  /** Which apps may call which at their internal names. */
  network: InternalAccessService;
  log: Logger;
  /** App logs: the streams, tails, drains and platform events (issue 7). */
  logs?: LogServices;
  /** The platform's processes on this host, for GET /admin/status. */
  status: PlatformStatus;
  /** The controller's Prometheus metrics; per-container CPU and memory for the dynos API. */
  metrics?: ControllerMetrics;
  /** Deadlines and bounds of git's push commands (tests shorten them). */
  gitLimits?: Partial<GitHttpLimits>;
  /** Checks every URL a user names for the platform to reach (buildpacks; drains use logs.egress, the same one in main.ts). Default: the strict guard. */
  egress?: EgressGuard;
  /** Tests: every JSON answer of the route table is checked against its declared response schema (a mismatch is a 500). */
  checkResponses?: boolean;
  /** SBOMs, findings, advisory imports and release policies (issue 21): absent, their routes are not served. */
  vulns?: VulnService;
  /** The largest advisory database an import uploads (PAAS_VULNDB_MAX_MB). */
  vulnDbMaxBytes?: number;
  /** Add-ons (issue 18): absent, their routes are not served. */
  addons?: AddonService;
  /** Operator-registered add-on servers (paas admin:addon-servers). */
  addonServers?: AddonServers;
  /** pg:backups files. */
  addonBackups?: PgBackups;
  /** Volumes (issue 18): absent, their routes are not served. */
  volumes?: VolumeService;
  /** `paas rename` (PATCH /apps/{app} with a name): absent, a rename is refused as unavailable. */
  renames?: AppRenameService;
  /** Provisioning hosts over SSH (hosts:provision, hosts:env, …): absent, those routes are not served. */
  provisioner?: HostProvisioner;
  /**
   * The seam for `hosts:provision --swarm`: joins a provisioned host to the Swarm as a worker. Set by
   * the swarm runtime's wiring; absent, --swarm is refused ("not available until the swarm runtime lands").
   */
  swarmJoin?: (host: { name: string; address: string; docker: import('dockerode') }, emit: (e: ProvisionEvent) => void) => Promise<void>;
  /** The API's per-caller request budget (default: one of config.api.rateLimitPerHour). */
  rateLimiter?: RateLimiter;
  /** Heroku's log sessions: single-use, short-lived URLs that stream an app's log (needs logs). */
  logSessions?: LogSessions;
  /** Automatic certificates over ACME (issue 18). */
  acme?: AcmeService;
  /** Builds' live output (the console's build view); absent, a build's stored output is answered. */
  buildLogs?: BuildLogSource;
  /** The built web console (apps/console/dist by default), served at /console. */
  consoleDir?: string;
  /** App webhooks (issue 24): absent, their routes are not served. */
  webhooks?: WebhookService;
  /** Builds from a source tarball (issue 24): absent, POST /apps/{app}/builds and uploads are not served. */
  sourceBuilds?: SourceBuilds;
}

import type pg from 'pg';
import type { Logger } from '@paas/shared';
import type { ControllerConfig } from '../config.js';
import type { TokenService } from '../auth/token-service.js';
import type { RepoManager } from '../git/repo-manager.js';
import type { PendingPushes } from '../git/git-http.js';
import type { Deployer } from '../deploy/deployer.js';
import type { ReleaseService } from '../deploy/release-service.js';
import type { PushService } from '../deploy/push-service.js';
import type { RuntimeBackend } from '../runtime/runtime-backend.js';

/** Everything the HTTP layer needs, wired by hand in main.ts (or by a test). */
export interface ApiContext {
  config: Pick<ControllerConfig, 'domain' | 'router' | 'api'>;
  pool: pg.Pool;
  tokens: TokenService;
  repos: RepoManager;
  pushes: PendingPushes;
  deployer: Deployer;
  releases: ReleaseService;
  pushService: PushService;
  runtime: RuntimeBackend;
  /** Secret the pre-receive hooks present on the internal receive endpoint. */
  hookToken: string;
  log: Logger;
}

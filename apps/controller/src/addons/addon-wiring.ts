import type pg from 'pg';
import type { Logger } from '@paas/shared';
import type { ControllerConfig } from '../config.js';
import type { AppRow } from '../db/apps.js';
import { AddonService } from './addon-service.js';
import { AddonServers } from './addon-servers.js';
import type { AddonServer } from './addon-provisioner.js';
import type { AddonKind } from './addon-plans.js';
import { PgBackups } from './pg-backups.js';
import { PostgresProvisioner } from './postgres-provisioner.js';
import { RedisProvisioner } from './redis-provisioner.js';
import { RedisContainerProvisioner } from './redis-container-provisioner.js';
import type Docker from 'dockerode';
import { type SecretBox } from '@paas/shared';

export interface Addons {
  addons: AddonService;
  addonServers: AddonServers;
  addonBackups: PgBackups;
}

/** The add-on services of a controller (or a test), from its config. */
export function createAddons(o: {
  config: ControllerConfig['addons'];
  pool: pg.Pool;
  cipher: SecretBox;
  releaseConfigChange: (app: AppRow, description: string, userId: string) => Promise<unknown>;
  log: Logger;
  /** For PAAS_ADDON_REDIS_MODE=container: the engine the Redis containers run on, and where their ports are published. */
  containers?: { docker: Docker; cluster: string; bindAddress: string };
}): Addons {
  const { config } = o;
  const platformServers: Partial<Record<AddonKind, AddonServer>> = {};
  const publicHost = config.publicHost ? { publicHost: config.publicHost } : {};
  if (config.postgresUrl) platformServers.postgres = { adminUrl: config.postgresUrl, ...publicHost };
  if (config.redisUrl) platformServers.redis = { adminUrl: config.redisUrl, ...publicHost };
  const addonBackups = new PgBackups({ dir: config.backupsDir, keep: config.backupsKept, timeoutMs: 30 * 60_000 });
  const addons = new AddonService({
    pool: o.pool,
    cipher: o.cipher,
    provisioners: [
      new PostgresProvisioner(),
      new RedisProvisioner(),
      ...(o.containers ? [new RedisContainerProvisioner({ ...o.containers, ...(config.publicHost ? { publicHost: config.publicHost } : {}) })] : []),
    ],
    engines: { redis: config.redisMode },
    platformServers,
    limits: config.limits,
    releaseConfigChange: o.releaseConfigChange,
    log: o.log.child({ component: 'addons' }),
    forget: (id) => addonBackups.forget(id),
  });
  return { addons, addonServers: new AddonServers({ db: o.pool, cipher: o.cipher }), addonBackups };
}

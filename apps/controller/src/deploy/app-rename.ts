import type pg from 'pg';
import type { Redis } from 'ioredis';
import { AppError, slugImageRepo, toError, type Logger, type RedisKeys } from '@paas/shared';
import type { AuditLog } from '../auth/audit-log.js';
import { findAppById, lockAppRow, type AppRow } from '../db/apps.js';
import { inTransaction, isUniqueViolation, type Queryable } from '../db/queryable.js';
import type { RepoManager } from '../git/repo-manager.js';
import type { CertService } from '../domains/cert-service.js';
import type { InternalAccessService, Requester } from '../network/internal-access-service.js';
import type { LogServices } from '../logs/log-services.js';
import { isAppRenamer, type ProcessInfo, type RuntimeBackend } from '../runtime/runtime-backend.js';
import type { AppLocks } from './app-lock.js';
import type { RoutePublisher } from './route-publisher.js';

export interface AppRenameOptions {
  pool: pg.Pool;
  locks: AppLocks;
  runtime: RuntimeBackend;
  repos: RepoManager;
  routes: Pick<RoutePublisher, 'remove'>;
  /** Converges an app now (its processes started again under the new name, its route published); `replace`: processes to replace. */
  reconcile: (app: AppRow, replace?: ReadonlySet<string>) => Promise<void>;
  certs: Pick<CertService, 'republishApp'>;
  network: Pick<InternalAccessService, 'forget'>;
  logs?: Pick<LogServices, 'rename' | 'forget'>;
  redis: Redis;
  keys: RedisKeys;
  audit: AuditLog;
  log: Logger;
}

/** Points the app's release and build images at their copies under the new name. */
async function moveImageRefs(tx: Queryable, appId: string, from: string, to: string): Promise<void> {
  const [a, b] = [`${slugImageRepo(from)}:`, `${slugImageRepo(to)}:`];
  for (const table of ['releases', 'builds']) {
    await tx.query(`UPDATE ${table} SET image = $3 || substr(image, length($2) + 1) WHERE app_id = $1 AND left(image, length($2)) = $2`, [appId, a, b]);
  }
}

/**
 * `paas rename NEWNAME` (Heroku's `PATCH /apps/{app}` with a name): everything keyed by the app's name
 * moves to the new one. Its rows are keyed by its id and follow on their own; the rest moves here:
 *
 * 1. Under the app's lock (deploys, scaling, reconcile passes and destroys wait), refused while it
 *    builds or deploys: the name (unique, as at create) and the release images' refs change in one
 *    transaction with the audit event; the app row stays locked meanwhile, so a push or a release
 *    that had read the old name waits and then sees the new one (the push service refuses it). Then
 *    the git repository moves, the engines copy the images (relabelled) and the build cache under the
 *    new name, and the log stream and the build cache's epoch move in Redis. A failure there puts the
 *    old name back.
 * 2. The reconcile starts the processes again under the new name (labels, network, internal names)
 *    and publishes `<new>.<PAAS_DOMAIN>` with the custom domains; only then the old route goes, and
 *    what is left under the old name (processes, one-offs, network, image tags, build cache) with it.
 * 3. Its certificates are republished under the new name, the routers' internal access table
 *    forgets the old one, and the apps allowed to call it are restarted to learn its new internal name.
 */
export class AppRenameService {
  constructor(private readonly o: AppRenameOptions) {}

  async rename(app: AppRow, to: string, by: Requester): Promise<AppRow> {
    const from = app.name;
    if (to === from) return app;
    await this.o.locks.with(app.id, async () => {
      if (await this.o.repos.exists(to)) throw new AppError('name_taken', `Name ${to} is already taken`);
      await inTransaction(this.o.pool, async (tx) => {
        await lockAppRow(tx, app.id);
        await this.assertIdle(tx, app);
        try {
          await tx.query('UPDATE apps SET name = $2 WHERE id = $1', [app.id, to]);
        } catch (err) {
          if (isUniqueViolation(err)) throw new AppError('name_taken', `Name ${to} is already taken`);
          throw err;
        }
        await moveImageRefs(tx, app.id, from, to);
        await this.o.audit.record({ ...by, action: 'app.rename', app: to, details: { from, to } }, tx);
      });
      try {
        await this.o.repos.rename(from, to);
        if (isAppRenamer(this.o.runtime)) await this.o.runtime.copyAppResources(from, to);
      } catch (err) {
        await this.putBack(app, from, to);
        throw new AppError('unavailable', `${from} could not be renamed (${(err as Error).message}); it keeps its name, try again`, { retryable: true, cause: err });
      }
      await this.o.logs?.rename(from, to);
      await this.o.redis.rename(this.o.keys.buildCacheEpoch(from), this.o.keys.buildCacheEpoch(to)).catch(() => undefined);
    });
    const renamed = (await findAppById(this.o.pool, app.id))!;
    this.o.log.info({ app: to, from }, 'app renamed');
    try {
      await this.o.reconcile(renamed);
    } catch (err) {
      // The periodic reconcile tries again; what served under the old name goes either way.
      this.o.log.warn({ app: to, err: toError(err) }, 'the processes of a renamed app did not all start under its new name');
    }
    await this.o.routes.remove(from);
    if (isAppRenamer(this.o.runtime)) await this.o.runtime.retireAppName(from);
    await this.o.certs.republishApp(renamed);
    await this.o.network.forget(from);
    await this.restartCallers(renamed);
    // A later app of the old name must not read this one's last lines.
    await this.o.logs?.forget(from);
    return renamed;
  }

  /** Refuses while a build or a deploy of the app is under way (their images and labels carry the name). */
  private async assertIdle(tx: Queryable, app: AppRow): Promise<void> {
    const { rows } = await tx.query<{ builds: number; releases: number }>(
      `SELECT (SELECT count(*)::int FROM builds WHERE app_id = $1 AND status IN ('pending', 'building')) AS builds,
              (SELECT count(*)::int FROM releases WHERE app_id = $1 AND status = 'pending') AS releases`,
      [app.id],
    );
    const { builds, releases } = rows[0]!;
    if (builds > 0 || releases > 0) {
      throw new AppError('app_busy', `${app.name} is ${builds > 0 ? 'building' : 'deploying'}: rename it when that has finished`, { retryable: true });
    }
  }

  private async putBack(app: AppRow, from: string, to: string): Promise<void> {
    await inTransaction(this.o.pool, async (tx) => {
      await tx.query('UPDATE apps SET name = $2 WHERE id = $1', [app.id, from]);
      await moveImageRefs(tx, app.id, to, from);
    }).catch((err: unknown) => this.o.log.error({ app: to, from, err: toError(err) }, 'a failed rename could not put the old name back'));
    if (!(await this.o.repos.exists(from)) && (await this.o.repos.exists(to))) await this.o.repos.rename(to, from).catch(() => undefined);
    if (isAppRenamer(this.o.runtime)) await this.o.runtime.retireAppName(to).catch(() => undefined);
  }

  /** Apps allowed to call this one by its internal name learnt the old one at their start: they start again. */
  private async restartCallers(app: AppRow): Promise<void> {
    const { rows } = await this.o.pool.query<{ id: string }>('SELECT source_app_id AS id FROM internal_access WHERE target_app_id = $1', [app.id]);
    for (const { id } of rows) {
      const caller = await findAppById(this.o.pool, id);
      if (!caller) continue;
      const procs: ProcessInfo[] = await this.o.runtime.list({ app: caller.name });
      await this.o.reconcile(caller, new Set(procs.map((p) => p.id))).catch((err: unknown) =>
        this.o.log.warn({ app: caller.name, err: toError(err) }, 'an app calling a renamed app could not be restarted'),
      );
    }
  }
}

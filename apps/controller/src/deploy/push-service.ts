import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import { AppError, BuildLogWriter, readBuildLog, sealBuildEnv, type BuildJobData, type BuildLogEntry, type DiskGuard, type Logger, type RedisKeys, type SecretBox } from '@paas/shared';
import type { AppRow } from '../db/apps.js';
import { finishBuild, insertBuild, markBuildRunning, renewBuildLease, type BuildRow, type BuildSource } from '../db/builds.js';
import { getConfigVars } from '../db/config-vars.js';
import { isUniqueViolation } from '../db/queryable.js';
import type { User } from '../db/users.js';
import type { ReleaseService } from './release-service.js';
import { appJsonNotes, assertChecksFit, readAppJsonFromTar } from './app-json.js';
import { applyAppJsonEnv } from './app-json-setup.js';
import { BuildControl } from './build-control.js';
import { LostBuilderWatch } from './lost-builder-watch.js';
import { setBuildPort } from '../db/build-ports.js';
import { writePushedTree } from './pushed-tree.js';
import type { QuotaService } from '../auth/quota-service.js';
import type { WebhookPublisher } from '../webhooks/webhook-service.js';
import type { VulnService } from '../vulns/vuln-service.js';

export interface PushServiceOptions {
  pool: pg.Pool;
  redis: Redis;
  keys: RedisKeys;
  queue: Queue<BuildJobData>;
  releases: ReleaseService;
  buildsDir: string;
  buildTimeoutMs: number;
  webUrl: (app: string) => string;
  log: Logger;
  /** Concurrent builds count against the app owner's quota. */
  quotas: QuotaService;
  /** Decrypts the config vars handed to the build. */
  cipher: SecretBox;
  /** Seals them again for the build job (buildEnvBox of the platform secret): Redis never sees them in plaintext. */
  buildEnvBox: SecretBox;
  /** A pushed tree larger than this is refused before it fills the disk (PAAS_MAX_PUSH_MB). Default 500 MB. */
  maxPushBytes?: number;
  /** app.json checks that could take longer are refused before the build (PAAS_MAX_BOOT_SECONDS). Default 300. */
  maxBootSeconds?: number;
  /** How often a running build's job is looked at for a lost builder (default 5 s). */
  lostBuilderCheckMs?: number;
  /** Refuses pushes while the disk builds are written to is nearly full (PAAS_MIN_FREE_DISK_MB). */
  disk?: DiskGuard;
  /** This controller, as the holder of the leases on the builds its pushes drive (see db/builds.ts). */
  controllerId?: string;
  /** Announces builds to the app's webhooks (api:build). */
  publish?: WebhookPublisher;
  /** Stores each build's SBOM, matches it and applies the release policy (absent: neither). */
  vulns?: VulnService;
}

/** A build's lease lasts this long and is renewed a third of the way through. */
export const buildLeaseSeconds = 30;

export const defaultMaxPushBytes = 500 * 1024 * 1024;

export interface PushInput {
  app: AppRow;
  user: User;
  commit: string;
  /** The tree to build: a tar stream (git archive of a push), or what writes it to the path given (a source tarball). */
  source: Readable | ((path: string) => Promise<void>);
  /** A build from a source tarball: recorded on the build (Heroku's source_blob). */
  sourceBlob?: BuildSource;
  /** Called once the build's row exists (before its source is read). */
  onBuild?: (build: BuildRow) => void;
  /** Writes one line of output to the pusher (shown as `remote:` lines). */
  say: (line: string) => void;
  /** Aborted when the pusher goes away (Ctrl-C on git push): the build is cancelled. */
  signal?: AbortSignal;
}

/** Lines of build output kept in PostgreSQL per build, and their size at most (lines are at most 8 KiB: the builder cuts them). */
const keptLines = 20_000;
const keptBytes = 8 * 1024 * 1024;

/**
 * A push to the deploy branch: the commit's tree becomes a build (a row and a BullMQ job), its output
 * streams back live, and a successful build becomes a release that must boot before the push is
 * accepted. Resolves with the build id; rejects with an AppError when the push must be refused.
 */
export class PushService {
  /** Cancelling builds and purging build caches. */
  readonly builds: BuildControl;

  private readonly holder: string;

  constructor(private readonly o: PushServiceOptions) {
    this.builds = new BuildControl(o.redis, o.keys, o.queue);
    this.holder = o.controllerId ?? `controller-${process.pid}`;
  }

  /** Where builds' sources are written (uploaded source tarballs are kept under it too). */
  get buildsDir(): string {
    return this.o.buildsDir;
  }

  /** PAAS_MAX_PUSH_MB: a source larger than this (once unpacked) is refused. */
  get maxPushBytes(): number {
    return this.o.maxPushBytes ?? defaultMaxPushBytes;
  }

  /** Where an API build's output goes for its output_stream_url (a Redis stream, kept a day after its end). */
  outputWriter(buildId: string): BuildLogWriter {
    return new BuildLogWriter(this.o.redis, this.o.keys.buildOutput(buildId));
  }

  /** An API build's output from its first line, following it live until it ends (or `cancelled`). */
  async *readOutput(buildId: string, cancelled: () => boolean): AsyncGenerator<BuildLogEntry> {
    const reader = this.o.redis.duplicate();
    try {
      yield* readBuildLog(reader, this.o.keys.buildOutput(buildId), { idleTimeoutMs: this.o.buildTimeoutMs + 60_000, cancelled });
    } finally {
      reader.disconnect();
    }
  }

  async push(input: PushInput): Promise<{ buildId: string; version: number }> {
    const { app, user, commit, say } = input;
    await this.o.disk?.assertRoom();
    let build;
    try {
      build = await this.o.quotas.reserveBuild(app.owner_id, app.current_release === null, (tx) =>
        insertBuild(tx, app.id, user.id, commit, { holder: this.holder, seconds: buildLeaseSeconds }, input.sourceBlob),
      );
    } catch (err) {
      if (isUniqueViolation(err, 'builds_one_active_per_app')) {
        throw new AppError('build_in_progress', `a build of ${app.name} is already running; push again when it has finished`, {
          retryable: true,
        });
      }
      throw err;
    }
    // A rename holds the app's row while it moves the app: this build's row waited for it, and a push
    // to the old name must not build images under it (app-rename.ts).
    const { rows: named } = await this.o.pool.query<{ name: string }>('SELECT name FROM apps WHERE id = $1', [app.id]);
    if (named[0]?.name !== app.name) {
      await finishBuild(this.o.pool, build.id, { status: 'failed', error: 'the app was renamed during the push', output: '' });
      throw new AppError('app_busy', `${app.name} was renamed${named[0] ? ` to ${named[0].name}` : ''} while you pushed: push to its new git remote`);
    }
    const log = this.o.log.child({ app: app.name, build: build.id });
    const announce = (status: 'pending' | 'succeeded' | 'failed', releaseId: string | null): void => {
      if (!this.o.publish) return;
      const appRef = { id: app.id, name: app.name };
      void this.o.publish({
        app: appRef,
        entity: 'api:build',
        action: status === 'pending' ? 'create' : 'update',
        data: {
          id: build.id,
          status,
          app: appRef,
          source_blob: { checksum: input.sourceBlob?.checksum ?? null, url: input.sourceBlob?.url ?? null, version: input.sourceBlob ? input.sourceBlob.version : commit },
          release: releaseId ? { id: releaseId } : null,
          user: { id: user.id, email: user.email },
          created_at: build.created_at.toISOString(),
          updated_at: new Date().toISOString(),
        },
        previousData: status === 'pending' ? {} : { status: 'pending' },
        actor: { id: user.id, email: user.email },
      });
    };
    announce('pending', null);
    input.onBuild?.(build);
    // The lease says a live controller drives this build: another controller's sweep leaves it alone.
    const lease = setInterval(() => {
      renewBuildLease(this.o.pool, build.id, this.holder, buildLeaseSeconds).catch((err: unknown) =>
        log.warn({ err: (err as Error).message }, 'could not renew the lease on a build'),
      );
    }, (buildLeaseSeconds * 1000) / 3);
    lease.unref();
    const sourcePath = join(this.o.buildsDir, `${build.id}.tar`);
    const output: string[] = [];
    let outputBytes = 0;
    let built = false;
    const tell = (line: string): void => {
      if (output.length < keptLines && outputBytes + line.length <= keptBytes) {
        output.push(line);
        outputBytes += line.length + 1;
      }
      say(line);
    };
    try {
      await mkdir(this.o.buildsDir, { recursive: true });
      if (typeof input.source === 'function') await input.source(sourcePath);
      else await writePushedTree(input.source, sourcePath, this.o.maxPushBytes ?? defaultMaxPushBytes);
      const appJson = await readAppJsonFromTar(sourcePath).catch((err: unknown) => {
        if (err instanceof AppError) throw err;
        throw new AppError('invalid_params', `the pushed tree could not be read: ${(err as Error).message}`);
      });
      assertChecksFit(appJson, this.o.maxBootSeconds ?? 300);
      for (const note of appJsonNotes(appJson)) tell(note);
      await applyAppJsonEnv({ pool: this.o.pool, cipher: this.o.cipher }, app, appJson, tell);
      if ((await this.o.queue.getWorkersCount()) === 0) {
        throw new AppError('unavailable', 'no builder is running to take the build (start the platform with npm run up)', {
          retryable: true,
        });
      }
      tell(`-----> Building ${app.name} (${commit.slice(0, 7)}) on the paas builder`);
      const job: BuildJobData = {
        buildId: build.id,
        app: app.name,
        commit,
        sourcePath,
        env: {},
        sealedEnv: sealBuildEnv(this.o.buildEnvBox, await getConfigVars(this.o.pool, this.o.cipher, app.id)),
        buildpacks: app.buildpacks,
        stack: build.stack ?? app.build_stack,
      };
      await this.o.queue.add('build', job, { jobId: build.id, attempts: 1, removeOnComplete: 100, removeOnFail: 100 });
      const cancel = (): void => void this.builds.cancel(build.id).catch((err: unknown) => log.warn({ err }, 'could not cancel the build'));
      if (input.signal?.aborted) cancel();
      else input.signal?.addEventListener('abort', cancel, { once: true });
      await markBuildRunning(this.o.pool, build.id);
      log.info({ commit }, 'build queued');

      const reader = this.o.redis.duplicate();
      // A builder killed mid-build ends nothing: the watch ends the output for it. A job Redis lost
      // (it came back empty) is queued again if no builder had started it (the row is the truth).
      let started = false;
      let requeues = 0;
      const requeue = async (): Promise<boolean> => {
        if (started || requeues++ >= 3) return false;
        await this.o.queue.add('build', job, { jobId: build.id, attempts: 1, removeOnComplete: 100, removeOnFail: 100 });
        tell('-----> The build queue lost this build (Redis restarted); queued again');
        return true;
      };
      const watch = new LostBuilderWatch({
        redis: this.o.redis,
        keys: this.o.keys,
        queue: this.o.queue,
        buildId: build.id,
        log,
        intervalMs: this.o.lostBuilderCheckMs,
        requeue,
      });
      watch.start();
      let end;
      try {
        for await (const entry of readBuildLog(reader, this.o.keys.buildLog(build.id), {
          idleTimeoutMs: this.o.buildTimeoutMs + 60_000,
        })) {
          if (entry.type === 'line') {
            started = true;
            tell(entry.text);
          } else end = entry;
        }
      } finally {
        watch.stop();
        reader.disconnect();
        input.signal?.removeEventListener('abort', cancel);
      }
      if (!end || end.status === 'failed') {
        const error = end?.status === 'failed' ? end.error : 'the build ended without a result';
        throw new AppError(end?.status === 'failed' && end.code === 'no_buildpack' ? 'no_buildpack' : 'build_failed', error);
      }
      if (this.o.vulns && end.result.sbom) {
        await this.o.vulns.recordBuild(app.id, build.id, Buffer.from(end.result.sbom.document, 'base64'));
        await this.o.vulns.checkRelease(app, build.id, tell);
      }
      await finishBuild(this.o.pool, build.id, {
        status: 'succeeded',
        image: end.result.image,
        processTypes: end.result.processTypes,
        buildpack: end.result.buildpack,
        output: output.join('\n'),
      });
      if (end.result.port !== undefined) await setBuildPort(this.o.pool, build.id, end.result.port);
      log.info({ image: end.result.image }, 'build succeeded');
      built = true;
      announce('succeeded', null);
      tell('-----> Launching...');
      const release = await this.o.releases.release(
        app,
        {
          image: end.result.image,
          processTypes: end.result.processTypes,
          buildId: build.id,
          description: `Deploy ${commit.slice(0, 7)}`,
          userId: user.id,
          appJson: appJson ?? null,
        },
        // Headings (the release phase's) and warnings keep their place; the rest is indented under Launching.
        (line) => tell(/^(-----> | !     )/.test(line) ? line : `       ${line}`),
      );
      tell(`       Released v${release.version}`);
      tell(`       ${this.o.webUrl(app.name)} deployed to paas`);
      return { buildId: build.id, version: release.version };
    } catch (err) {
      const message = (err as Error).message;
      if (!built) announce('failed', null);
      // A build row that failed before or during the build; a release failure leaves the build succeeded.
      await finishBuild(this.o.pool, build.id, { status: 'failed', error: message, output: output.join('\n') }).catch(
        () => undefined,
      );
      log.warn({ err: message }, 'push refused');
      throw err;
    } finally {
      clearInterval(lease);
      await rm(sourcePath, { force: true });
    }
  }
}

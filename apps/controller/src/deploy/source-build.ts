import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, isAppError, type EgressGuard, type Logger, type SecretBox } from '@paas/shared';
import type { AuditLog } from '../auth/audit-log.js';
import type { AppRow } from '../db/apps.js';
import type { BuildRow } from '../db/builds.js';
import type { User } from '../db/users.js';
import type { PushService } from './push-service.js';
import { downloadSource, parseChecksum, sourceEgressUse, writeSourceTree } from './source-blob.js';

export interface SourceBuildOptions {
  pushService: PushService;
  guard: EgressGuard;
  /** Seals output-stream tokens (the platform's SecretBox). */
  cipher: SecretBox;
  /** The API's public URL: output_stream_url and uploaded sources' URLs start with it. */
  apiUrl: string;
  /** Extra CA certificates source servers are trusted with (PAAS_DRAIN_CA_FILE). */
  ca?: Buffer | undefined;
  /** A download taking longer fails the build (ms). */
  fetchTimeoutMs?: number;
  /** Records each build's outcome as a `deploy`, as pushes are. */
  audit?: AuditLog;
  log: Logger;
}

export interface SourceBlobInput {
  url: string;
  version?: string | null | undefined;
  checksum?: string | null | undefined;
}

/** How long an output_stream_url works. */
const streamTokenSeconds = 3600;
/** An uploaded source not built within this long is gone. */
const uploadKeptMs = 3600_000;
const maxEntries = 200_000;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Builds from a source tarball, as Heroku's build API: the build row is made at once (the request
 * answers with it and its output_stream_url), then the tarball is fetched through the egress guard
 * (or taken from an upload to this API), its checksum checked, unpacked into a tree (see
 * writeSourceTree) and built and released like a push, by the same PushService, build queue and
 * builder. Its output (the same lines a push shows) goes to a Redis stream that the
 * output_stream_url serves.
 */
export class SourceBuilds {
  constructor(private readonly o: SourceBuildOptions) {}

  private get sourcesDir(): string {
    return join(this.o.pushService.buildsDir, 'sources');
  }

  /** The URLs of a new upload: PUT the tarball to put_url, build with get_url. */
  newUpload(app: AppRow): { get_url: string; put_url: string } {
    const url = `${this.o.apiUrl.replace(/\/+$/, '')}/apps/${encodeURIComponent(app.name)}/sources/${randomUUID()}`;
    return { get_url: url, put_url: url };
  }

  /** Stores an uploaded tarball (at most PAAS_MAX_PUSH_MB). */
  async receiveUpload(app: AppRow, id: string, body: Readable): Promise<number> {
    if (!uuid.test(id)) throw new AppError('not_found', 'no such source: ask POST /apps/{app}/sources for an upload URL');
    await mkdir(this.sourcesDir, { recursive: true });
    await this.sweepUploads();
    const file = this.uploadFile(app, id);
    const max = this.o.pushService.maxPushBytes;
    let seen = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
        seen += chunk.length;
        if (seen > max) return done(new AppError('payload_too_large', `the source is larger than ${Math.round(max / 1024 / 1024)} MB (PAAS_MAX_PUSH_MB)`));
        done(null, chunk);
      },
    });
    // The request is not destroyed on a refusal: its answer is still to be written (as writePushedTree).
    body.pipe(limit);
    try {
      await pipeline(limit, createWriteStream(file, { mode: 0o600 }));
    } catch (err) {
      body.unpipe(limit);
      body.resume();
      await rm(file, { force: true });
      if (isAppError(err)) throw err;
      throw new AppError('invalid_body', `the upload broke off: ${(err as Error).message}`);
    }
    if (seen === 0) {
      await rm(file, { force: true });
      throw new AppError('invalid_params', 'the upload is empty');
    }
    return seen;
  }

  /**
   * Starts a build; resolves once its row exists (with the output_stream_url), rejects when the
   * build is refused before that (a build in progress, the concurrent builds quota, a full disk).
   */
  async start(app: AppRow, user: User, blob: SourceBlobInput): Promise<{ build: BuildRow; outputStreamUrl: string }> {
    const checksum = blob.checksum ? parseChecksum(blob.checksum) : undefined;
    const uploaded = this.uploadedPath(app, blob.url);
    if (!uploaded) await this.o.guard.checkUrl(blob.url, sourceEgressUse, { unresolved: 'allow' });
    else if (!(await stat(uploaded).then(() => true, () => false))) throw new AppError('invalid_params', 'source_blob.url: no upload at this URL (uploads are built once, within an hour)');
    const shownUrl = blob.url.replace(/[?#].*$/, '');
    let writer: ReturnType<PushService['outputWriter']> | undefined;
    let chain: Promise<unknown> = Promise.resolve();
    const say = (line: string): void => {
      const w = writer;
      if (w) chain = chain.then(() => w.line(line)).catch(() => undefined);
    };
    let created: (b: BuildRow) => void = () => undefined;
    let refused: (err: unknown) => void = () => undefined;
    const started = new Promise<BuildRow>((resolve, reject) => {
      created = resolve;
      refused = reject;
    });
    let buildId = '';
    const pushing = this.o.pushService.push({
      app,
      user,
      commit: blob.version || 'tarball',
      sourceBlob: { url: blob.url, version: blob.version ?? null, checksum: blob.checksum ?? null },
      onBuild: (b) => {
        buildId = b.id;
        writer = this.o.pushService.outputWriter(b.id);
        created(b);
      },
      say,
      source: async (dest) => {
        say(`-----> Fetching the source from ${uploaded ? 'the upload' : shownUrl}`);
        const download = uploaded ?? join(this.o.pushService.buildsDir, `${buildId}.download`);
        try {
          const digest = uploaded
            ? await sha256File(uploaded)
            : await downloadSource(blob.url, download, { guard: this.o.guard, ca: this.o.ca, timeoutMs: this.o.fetchTimeoutMs ?? 120_000, maxBytes: this.o.pushService.maxPushBytes });
          if (checksum !== undefined && digest !== checksum) {
            throw new AppError('build_failed', `the source's checksum is SHA256:${digest}, not SHA256:${checksum} as given: nothing was built`);
          }
          say(`       SHA256:${digest}`);
          await writeSourceTree(download, dest, { bytes: this.o.pushService.maxPushBytes, entries: maxEntries });
        } catch (err) {
          if (isAppError(err) && err.code === 'build_failed') throw err;
          throw new AppError('build_failed', `the source from ${uploaded ? 'the upload' : shownUrl} could not be used: ${(err as Error).message}`);
        } finally {
          await rm(download, { force: true });
        }
      },
    });
    const audit = (details: Record<string, unknown>): void =>
      void this.o.audit?.record({ actor: { id: user.id, email: user.email }, action: 'deploy', app: app.name, details: { source: uploaded ? 'upload' : shownUrl, ...details } });
    pushing.then(
      (result) => {
        chain = chain.then(() => writer?.done());
        audit({ result: 'succeeded', build: result.buildId, release: result.version });
      },
      (err: unknown) => {
        if (writer) audit({ result: 'refused', build: buildId, error: isAppError(err) ? err.code : 'internal' });
        refused(err);
        const message = (err as Error).message;
        say(` !     ${message}`);
        chain = chain.then(() => writer?.failed(isAppError(err) ? err.code : 'build_failed', message));
        if (writer) this.o.log.info({ app: app.name, build: buildId, err: message }, 'source build failed');
      },
    );
    const build = await started;
    return { build, outputStreamUrl: this.outputStreamUrl(app, build.id) };
  }

  /** The URL that streams a build's output, authorised by a sealed token naming the build and when it expires. */
  outputStreamUrl(app: AppRow, buildId: string): string {
    const token = this.o.cipher.seal(JSON.stringify({ b: buildId, a: app.id, e: Date.now() + streamTokenSeconds * 1000 }), 'build output stream');
    return `${this.o.apiUrl.replace(/\/+$/, '')}/build-output/${buildId}?token=${encodeURIComponent(token)}`;
  }

  /** The build an output_stream_url token opens, or a refusal. */
  openStreamToken(buildId: string, token: string): { appId: string } {
    let claims: { b?: unknown; a?: unknown; e?: unknown };
    try {
      claims = JSON.parse(this.o.cipher.open(token, 'build output stream')) as typeof claims;
    } catch {
      throw new AppError('unauthorized', 'this output stream URL is not valid: ask the build again (GET /apps/{app}/builds/{id})');
    }
    if (claims.b !== buildId || typeof claims.a !== 'string') throw new AppError('unauthorized', 'this output stream URL is for another build');
    if (typeof claims.e !== 'number' || claims.e < Date.now()) throw new AppError('unauthorized', 'this output stream URL has expired');
    return { appId: claims.a };
  }

  private uploadFile(app: AppRow, id: string): string {
    return join(this.sourcesDir, `${app.id}-${id.toLowerCase()}.tgz`);
  }

  /** An upload of this app named by its get_url, else undefined (a URL to fetch). */
  private uploadedPath(app: AppRow, url: string): string | undefined {
    const prefix = `${this.o.apiUrl.replace(/\/+$/, '')}/apps/${encodeURIComponent(app.name)}/sources/`;
    if (!url.startsWith(prefix)) return undefined;
    const id = url.slice(prefix.length);
    if (!uuid.test(id)) throw new AppError('invalid_params', 'source_blob.url: not an upload URL of this app');
    return this.uploadFile(app, id);
  }

  private async sweepUploads(): Promise<void> {
    for (const name of await readdir(this.sourcesDir).catch(() => [] as string[])) {
      const file = join(this.sourcesDir, name);
      const s = await stat(file).catch(() => undefined);
      if (s && Date.now() - s.mtimeMs > uploadKeptMs) await rm(file, { force: true });
    }
  }
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

import type pg from 'pg';
import { AppError, slugImageRepo, type ImageRegistry, type Logger } from '@paas/shared';
import type { AppRow } from '../db/apps.js';
import { keptReleaseImages } from '../db/release-images.js';
import type { ReleaseRow } from '../db/releases.js';
import type { RuntimeBackend } from '../runtime/runtime-backend.js';

export interface ImageRetentionOptions {
  pool: pg.Pool;
  runtime: RuntimeBackend;
  /** Images of this many recent releases are kept on the engines (PAAS_RELEASE_IMAGES_KEPT). */
  keep: number;
  /** The registry release images are pushed to: the app's other images are deleted from it too. */
  registry?: ImageRegistry;
  log: Logger;
}

/**
 * Every push makes an image; without this they pile up on every engine until the app is destroyed.
 * After each release the app's images other than those of its recent releases (and the one serving)
 * are removed from every host, like Dokku's cleanup after a deploy. An image a container still uses
 * stays. A rollback to a release older than that finds its image gone and says so.
 */
export class ImageRetention {
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly o: ImageRetentionOptions) {}

  /** Starts pruning the app's images in the background (one run per app at a time). */
  schedule(app: AppRow): void {
    if (this.running.has(app.id)) return;
    const run = this.prune(app)
      .then(() => undefined)
      .catch((err: unknown) => this.o.log.warn({ app: app.name, err }, 'pruning old release images failed'))
      .finally(() => this.running.delete(app.id));
    this.running.set(app.id, run);
  }

  async prune(app: AppRow): Promise<number> {
    const kept = await keptReleaseImages(this.o.pool, app.id, this.o.keep);
    const removed = await this.o.runtime.pruneImages(app.name, kept);
    if (removed > 0) this.o.log.info({ app: app.name, removed, kept: kept.size }, 'old release images removed');
    if (this.o.registry) {
      // its manifests go now; the blobs at the registry's next garbage collection
      const deleted = await this.o.registry.deleteExcept(slugImageRepo(app.name), kept);
      if (deleted > 0) this.o.log.info({ app: app.name, deleted, kept: kept.size }, 'old release images deleted from the registry');
    }
    return removed;
  }

  /** Deletes every image of a destroyed app from the registry. */
  async forgetApp(appName: string): Promise<void> {
    await this.o.registry?.deleteExcept(slugImageRepo(appName), new Set());
  }

  /** Refuses a rollback whose image has been pruned. */
  async assertKept(app: AppRow, target: ReleaseRow): Promise<void> {
    const kept = await keptReleaseImages(this.o.pool, app.id, this.o.keep);
    if (kept.has(target.image)) return;
    throw new AppError(
      'invalid_params',
      `The image of v${target.version} has been removed (paas keeps the images of the last ${this.o.keep} releases, PAAS_RELEASE_IMAGES_KEPT): push its commit again to rebuild it`,
    );
  }

  /** Waits for the prunes in progress (tests, shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.running.values()]);
  }
}

import type Docker from 'dockerode';
import type { Logger } from '@paas/shared';
import { layerRepo } from './slug-image.js';

export interface LayerGcOptions {
  docker: Docker;
  cluster: string;
  /** Layers made or tagged more recently are kept (a build may be about to stand a slug on them). */
  minAgeMs: number;
  log: Logger;
}

/**
 * Removes the shared layer images (`paas/layer:*`, see slug-image.ts) that no image stands on any
 * more: once the controller has removed the old release images of every app that used a runtime or
 * node_modules layer, the layer is garbage. A layer with a child image is never removed (the engine
 * refuses that anyway), nor one younger than `minAgeMs`. Removing a layer can leave the one below it
 * childless, so it goes round until nothing more goes. Run it only while this builder has no build in
 * progress.
 */
export class LayerGc {
  constructor(private readonly o: LayerGcOptions) {}

  async collect(now = Date.now()): Promise<{ removed: number; bytes: number }> {
    const { docker } = this.o;
    let removed = 0;
    let bytes = 0;
    for (let pass = 0; pass < 10; pass++) {
      const all = await docker.listImages({ all: true });
      const parents = new Set(all.map((i) => i.ParentId).filter((p) => p !== ''));
      const garbage = all.filter(
        (i) =>
          i.Labels?.['paas.cluster'] === this.o.cluster &&
          i.Labels['paas.app'] === undefined &&
          (i.RepoTags ?? []).some((t) => t.startsWith(`${layerRepo}:`)) &&
          !parents.has(i.Id) &&
          now - i.Created * 1000 >= this.o.minAgeMs,
      );
      let progress = false;
      for (const image of garbage) {
        try {
          // force: a layer carries two tags (its digest and its fingerprint); the engine still refuses
          // an image that has children
          await docker.getImage(image.Id).remove({ force: true });
          removed++;
          bytes += image.Size;
          progress = true;
        } catch (err) {
          const status = (err as { statusCode?: number }).statusCode;
          if (status !== 404 && status !== 409) this.o.log.warn({ image: image.Id, err }, 'could not remove a layer image');
        }
      }
      if (!progress) break;
    }
    if (removed > 0) this.o.log.info({ removed, bytes }, 'unused layer images removed');
    return { removed, bytes };
  }
}

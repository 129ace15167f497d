import { gzipSync } from 'node:zlib';
import type Docker from 'dockerode';
import type { BuildJobData, BuildSbom } from '@paas/shared';
import type { BuildOutput } from '../build-output.js';
import { inventorySummary, type Inventory } from './component.js';
import { toCycloneDx } from './cyclonedx.js';
import { ImageInventory } from './image-inventory.js';
import type { LayerFindings } from './layer-scan.js';
import { mergeLayers } from './merge-layers.js';

/** The most components one image's SBOM lists (a bound on the document the controller stores). */
export const maxComponents = 50_000;

/** A slug's /app findings and which layer image each directory of /app went to. */
export interface SlugParts {
  runImage: string;
  app: LayerFindings;
  /** `/app/<path>` directories that became layers, with that layer's diff id; the rest is in `topLayer`. */
  layers: { path: string; diffId: string }[];
  topLayer: string;
}

/**
 * Makes each release image's inventory and its CycloneDX document, and says it in one line of the
 * build output. Dockerfile images are read from the engine (`docker save`); slugs from the run
 * image's inventory (read once per run image) and the build container's /app.
 */
export class SbomMaker {
  private readonly images: ImageInventory;
  private readonly runImages = new Map<string, Promise<{ id: string; findings: LayerFindings }[]>>();

  constructor(private readonly docker: Docker) {
    this.images = new ImageInventory(docker);
  }

  async ofImage(image: string): Promise<Inventory> {
    return this.images.read(image);
  }

  async ofSlug(parts: SlugParts): Promise<Inventory> {
    const id = (await this.docker.getImage(parts.runImage).inspect()).Id;
    let run = this.runImages.get(id);
    if (!run) {
      run = this.images.readLayers(parts.runImage);
      this.runImages.set(id, run);
      run.catch(() => this.runImages.delete(id));
    }
    const byLayer = new Map<string, LayerFindings>();
    const layerOf = (path: string): string => parts.layers.find((l) => path.startsWith(`app/${l.path}/`))?.diffId ?? parts.topLayer;
    for (const [path, file] of parts.app.files) {
      const layer = layerOf(path);
      let f = byLayer.get(layer);
      if (!f) byLayer.set(layer, (f = { files: new Map(), whiteouts: [], opaque: [] }));
      f.files.set(path, file);
    }
    const order = [...parts.layers.map((l) => l.diffId), parts.topLayer];
    const appLayers = order.filter((id) => byLayer.has(id)).map((id) => ({ id, findings: byLayer.get(id)! }));
    return mergeLayers([...(await run), ...appLayers]);
  }

  /** The document for the build result, and the summary line in the build output. */
  async finish(inv: Inventory, job: BuildJobData, image: string, output: BuildOutput): Promise<BuildSbom> {
    if (inv.components.length > maxComponents) {
      await output.warn(`The image has ${inv.components.length} packages: the inventory lists the first ${maxComponents}`);
      inv = { ...inv, components: inv.components.slice(0, maxComponents) };
    }
    await output.heading(`Inventory: ${inventorySummary(inv)}`);
    const doc = toCycloneDx(inv, { app: job.app, image, buildId: job.buildId, commit: job.commit });
    return { format: 'cyclonedx-1.6+gzip', document: gzipSync(doc).toString('base64'), components: inv.components.length };
  }
}

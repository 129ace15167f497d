import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import type Docker from 'dockerode';
import type { Inventory } from './component.js';
import { scanLayer, type LayerFindings } from './layer-scan.js';
import { mergeLayers } from './merge-layers.js';

/** How many layers' findings are kept between builds (the run image's layers are in every slug). */
const cachedLayers = 256;
const maxJsonBytes = 4 << 20;

/**
 * An image's inventory, read from the engine's `docker save` stream without running the image: each
 * layer tar is scanned as it streams past (layers already scanned by this process, like the run
 * image's, are skipped), then the manifest orders the layers and names their diff ids.
 */
export class ImageInventory {
  private readonly cache = new Map<string, LayerFindings>();

  constructor(private readonly docker: Docker) {}

  async read(image: string): Promise<Inventory> {
    return mergeLayers(await this.readLayers(image));
  }

  /** The findings of each of an image's layers, lowest first. */
  async readLayers(image: string): Promise<{ id: string; findings: LayerFindings }[]> {
    const stream = (await this.docker.getImage(image).get()) as unknown as Readable;
    return this.readArchive(stream);
  }

  /** The layers of a `docker save` archive (legacy or OCI layout). */
  async readArchive(archive: Readable): Promise<{ id: string; findings: LayerFindings }[]> {
    const scanned = new Map<string, LayerFindings>();
    const json = new Map<string, unknown>();
    const ex = extract();
    archive.on('error', (err) => ex.destroy(err));
    archive.pipe(ex);
    for await (const entry of ex) {
      const name = entry.header.name.replace(/^\.\//, '');
      if (entry.header.type !== 'file') {
        entry.resume();
        continue;
      }
      const known = this.cache.get(name);
      if (known) {
        scanned.set(name, known);
        entry.resume();
        continue;
      }
      const { first, rest } = await peek(entry as unknown as Readable);
      if (first === undefined) continue;
      if (first[0] === 0x7b /* { */ || name.endsWith('.json') || name === 'repositories') {
        const text = await collect(rest, maxJsonBytes);
        if (text !== undefined) json.set(name, safeJson(text));
        continue;
      }
      if ((entry.header.size ?? 0) < 512) {
        rest.resume();
        continue;
      }
      const tar = first[0] === 0x1f && first[1] === 0x8b ? rest.pipe(createGunzip()) : rest;
      const findings = await scanLayer(tar).catch(() => undefined);
      if (findings) {
        scanned.set(name, findings);
        this.remember(name, findings);
      }
    }
    return orderLayers(json, scanned);
  }

  private remember(name: string, findings: LayerFindings): void {
    this.cache.delete(name);
    this.cache.set(name, findings);
    while (this.cache.size > cachedLayers) this.cache.delete(this.cache.keys().next().value as string);
  }
}

/** The layers in the manifest's order, named by their diff ids from the image config. */
function orderLayers(json: Map<string, unknown>, scanned: Map<string, LayerFindings>): { id: string; findings: LayerFindings }[] {
  const manifest = (json.get('manifest.json') as { Config?: string; Layers?: string[] }[] | undefined)?.[0];
  if (!manifest?.Layers) throw new Error('the image archive has no manifest.json');
  const config = json.get(manifest.Config ?? '') as { rootfs?: { diff_ids?: string[] } } | undefined;
  const diffIds = config?.rootfs?.diff_ids ?? [];
  return manifest.Layers.map((path, i) => {
    const findings = scanned.get(path);
    if (!findings) throw new Error(`the image archive lacks its layer ${path}`);
    return { id: diffIds[i] ?? `layer-${i}`, findings };
  });
}

async function peek(entry: Readable): Promise<{ first: Buffer | undefined; rest: Readable }> {
  const it = entry[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head = await it.next();
  const first = head.done ? undefined : head.value;
  async function* all(): AsyncGenerator<Buffer> {
    if (first) yield first;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  return { first, rest: Readable.from(all(), { objectMode: false }) };
}

async function collect(stream: Readable, max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const c of stream) {
    bytes += (c as Buffer).length;
    if (bytes <= max) chunks.push(c as Buffer);
  }
  return bytes <= max ? Buffer.concat(chunks).toString('utf8') : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

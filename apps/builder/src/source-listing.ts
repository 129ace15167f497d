import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';

/** Files at the source's root that builders read before any container runs (choosing a builder, .buildpacks). */
export const capturedFiles = ['Dockerfile', '.buildpacks', 'Procfile', 'app.json'] as const;
export type CapturedFile = (typeof capturedFiles)[number];

/** Larger captured files are refused: none of them has a reason to be this big. */
const captureLimit = 256 * 1024;

/**
 * The file names of an app's source (paths relative to its root, `./` and trailing `/` removed), and
 * the content of the few root files builders decide by.
 */
export class SourceListing {
  private readonly paths: Set<string>;
  private readonly files: Map<string, string>;

  constructor(paths: Iterable<string>, files: Record<string, string> = {}) {
    this.paths = new Set([...paths].map(normalise).filter((p) => p !== ''));
    this.files = new Map(Object.entries(files));
  }

  has(path: string): boolean {
    return this.paths.has(normalise(path));
  }

  /** The content of a captured root file; undefined when the source has none (or it is too big to be one). */
  file(name: CapturedFile): string | undefined {
    return this.files.get(name);
  }

  get size(): number {
    return this.paths.size;
  }
}

function normalise(path: string): string {
  return path.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

/** Lists a source tar (from `git archive`) without unpacking it, keeping the captured root files. */
export async function readSourceListing(tarPath: string): Promise<SourceListing> {
  const names: string[] = [];
  const files: Record<string, string> = {};
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const name = normalise(header.name);
    names.push(name);
    const capture = header.type === 'file' && (capturedFiles as readonly string[]).includes(name) && (header.size ?? 0) <= captureLimit;
    const chunks: Buffer[] = [];
    if (capture) stream.on('data', (c: unknown) => void chunks.push(c as Buffer));
    stream.on('end', () => {
      if (capture) files[name] = Buffer.concat(chunks).toString('utf8');
      next();
    });
    stream.resume();
  });
  await pipeline(createReadStream(tarPath), ex);
  return new SourceListing(names, files);
}

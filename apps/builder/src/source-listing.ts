import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';

/** The file names of an app's source (paths relative to its root, `./` and trailing `/` removed). */
export class SourceListing {
  private readonly paths: Set<string>;

  constructor(paths: Iterable<string>) {
    this.paths = new Set([...paths].map(normalise).filter((p) => p !== ''));
  }

  has(path: string): boolean {
    return this.paths.has(normalise(path));
  }

  get size(): number {
    return this.paths.size;
  }
}

function normalise(path: string): string {
  return path.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

/** Lists a source tar (from `git archive`) without unpacking it. */
export async function readSourceListing(tarPath: string): Promise<SourceListing> {
  const names: string[] = [];
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    names.push(header.name);
    stream.on('end', next);
    stream.resume();
  });
  await pipeline(createReadStream(tarPath), ex);
  return new SourceListing(names);
}

// Tarballs for the tests of builds from a source tarball: made with tar-stream, listed back.
import { createReadStream } from 'node:fs';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export type TarEntry = { name: string; body?: string | Buffer; type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo'; linkname?: string };

/** A tar of `entries`, gzipped unless `gzip` is false. */
export async function makeTarball(entries: TarEntry[], gzip = true): Promise<Buffer> {
  const p = tar.pack();
  for (const e of entries) p.entry({ name: e.name, type: e.type ?? 'file', ...(e.linkname ? { linkname: e.linkname } : {}) }, e.body ?? '');
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return gzip ? gzipSync(raw) : raw;
}

/** The entries of a plain tar file, sorted: `dir/` for directories (unless `dirs` is false), `name->target` for links. */
export async function tarEntries(file: string, dirs = true): Promise<string[]> {
  const ex = tar.extract();
  const names: string[] = [];
  ex.on('entry', (h, s, next) => {
    if (h.type === 'symlink') names.push(`${h.name}->${h.linkname}`);
    else if (h.type === 'directory') {
      if (dirs) names.push(`${h.name}/`);
    } else names.push(h.name);
    s.on('end', next);
    s.resume();
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    createReadStream(file).pipe(ex);
  });
  return names.sort();
}

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, pack, type Header as TarHeader } from 'tar-stream';

/** A tar whose entries go under `prefix/`, owned by `uid:gid` when given. */
export interface TarPart {
  tar: Readable;
  prefix: string;
  uid?: number;
  gid?: number;
}

/** An entry made from nothing: a directory, or a file with its content. */
export interface TarEntry {
  name: string;
  content?: string | Buffer;
  mode: number;
  uid: number;
  gid: number;
}

/**
 * One tar stream of directories, files and other tars (each moved under its prefix), so a container
 * gets everything in a single copy: the engine's archive extraction costs a fraction of a second
 * each time. Streams throughout: nothing is held in memory but the small entries given.
 */
export function mergeTars(first: readonly TarEntry[], parts: readonly TarPart[], last: readonly TarEntry[] = []): Readable {
  const out = pack();
  const add = (e: TarEntry): void => {
    if (e.content === undefined) out.entry({ name: e.name, type: 'directory', mode: e.mode, uid: e.uid, gid: e.gid });
    else out.entry({ name: e.name, mode: e.mode, uid: e.uid, gid: e.gid }, e.content);
  };
  void (async () => {
    try {
      first.forEach(add);
      for (const part of parts) await copyPart(out, part);
      last.forEach(add);
      out.finalize();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return Readable.from(out);
}

function copyPart(out: ReturnType<typeof pack>, part: TarPart): Promise<void> {
  const ex = extract();
  const rename = (name: string): string => `${part.prefix}/${name.replace(/^(\.\/)+/, '')}`.replace(/\/(\.)?\/?$/, '');
  ex.on('entry', (header, stream, next) => {
    const { uname: _u, gname: _g, ...kept } = header;
    const h = { ...kept, name: rename(header.name), uid: part.uid ?? header.uid, gid: part.gid ?? header.gid } as TarHeader;
    if (header.type === 'link' && header.linkname) h.linkname = rename(header.linkname);
    if (header.type === 'file' || header.type === 'contiguous-file') {
      const sink = out.entry(h, (err) => (err ? ex.destroy(err) : next()));
      stream.pipe(sink);
      return;
    }
    out.entry(h);
    stream.on('end', () => next());
    stream.resume();
  });
  return pipeline(part.tar, ex);
}

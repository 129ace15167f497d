import { pack as packDirectory } from 'tar-fs';
import { extract, pack } from 'tar-stream';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';

export interface ArchiveFile {
  name: string;
  content: string | Buffer;
  mode?: number;
}

/** A tar of in-memory files (directories in their names are created by the engine). */
export function tarOfFiles(files: readonly ArchiveFile[]): Readable {
  const p = pack();
  for (const f of files) p.entry({ name: f.name, mode: f.mode ?? 0o644 }, f.content);
  p.finalize();
  return Readable.from(p);
}

/** A tar of empty directories (parents first), with the owner and mode given. */
export function tarOfDirectories(names: readonly string[], o: { uid: number; gid: number; mode: number }): Readable {
  const p = pack();
  for (const name of names) p.entry({ name, type: 'directory', mode: o.mode, uid: o.uid, gid: o.gid });
  p.finalize();
  return Readable.from(p);
}

/** A tar of a host directory, modes kept, owned by root in the archive; its entries under `prefix/` when given. */
export function tarOfDirectory(dir: string, prefix?: string): Readable {
  return Readable.from(
    packDirectory(dir, {
      map: (header) => ({
        ...header,
        name: prefix === undefined ? header.name : `${prefix}/${header.name}`.replace(/\/\.$/, ''),
        uid: 0,
        gid: 0,
        uname: 'root',
        gname: 'root',
      }),
    }),
  );
}

/**
 * Extracts a tar into a container's directory (running or only created); resolves once the engine is
 * done. A stream that fails (a git archive, an engine export) aborts the copy and rejects with its error.
 */
export async function putArchive(container: Docker.Container, tar: Readable | NodeJS.ReadableStream | Buffer, path: string): Promise<void> {
  if (Buffer.isBuffer(tar)) {
    await container.putArchive(tar, { path });
    return;
  }
  const abort = new AbortController();
  let failure: Error | undefined;
  const onError = (err: Error): void => {
    failure ??= err;
    abort.abort();
  };
  tar.on('error', onError);
  try {
    await container.putArchive(tar, { path, abortSignal: abort.signal } as { path: string });
  } catch (err) {
    throw failure ?? err;
  } finally {
    tar.removeListener('error', onError);
  }
  if (failure) throw failure;
}

/** The content of one file in a container, or undefined when it does not exist. */
export async function readContainerFile(container: Docker.Container, path: string): Promise<string | undefined> {
  return (await readContainerBytes(container, path))?.toString('utf8');
}

/** The bytes of one file in a container (running or only created), or undefined when it does not exist. */
export async function readContainerBytes(container: Docker.Container, path: string): Promise<Buffer | undefined> {
  let tar: NodeJS.ReadableStream;
  try {
    tar = await container.getArchive({ path });
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
  return new Promise<Buffer | undefined>((resolve, reject) => {
    const ex = extract();
    let content: Buffer | undefined;
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => void chunks.push(c as Buffer));
      stream.on('end', () => {
        if (content === undefined && header.type === 'file') content = Buffer.concat(chunks);
        next();
      });
    });
    ex.on('finish', () => resolve(content));
    ex.on('error', reject);
    tar.pipe(ex);
  });
}

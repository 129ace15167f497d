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

/** A tar of a host directory, modes kept, owned by root in the archive. */
export function tarOfDirectory(dir: string): Readable {
  return Readable.from(
    packDirectory(dir, {
      map: (header) => ({ ...header, uid: 0, gid: 0, uname: 'root', gname: 'root' }),
    }),
  );
}

/** Extracts a tar into a container's directory (running or only created); resolves once the engine is done. */
export async function putArchive(container: Docker.Container, tar: Readable | Buffer, path: string): Promise<void> {
  await container.putArchive(tar, { path });
}

/** The content of one file in a container, or undefined when it does not exist. */
export async function readContainerFile(container: Docker.Container, path: string): Promise<string | undefined> {
  let tar: NodeJS.ReadableStream;
  try {
    tar = await container.getArchive({ path });
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
  return new Promise<string | undefined>((resolve, reject) => {
    const ex = extract();
    let content: string | undefined;
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => void chunks.push(c as Buffer));
      stream.on('end', () => {
        if (content === undefined && header.type === 'file') content = Buffer.concat(chunks).toString('utf8');
        next();
      });
    });
    ex.on('finish', () => resolve(content));
    ex.on('error', reject);
    tar.pipe(ex);
  });
}

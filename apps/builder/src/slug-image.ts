import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { putArchive } from './docker-archive.js';
import { removeContainer } from './build-container.js';

/** PATH of a slug's processes: the buildpack's runtime and the app's own binaries first. */
export const slugPath = '/app/.heroku/node/bin:/app/node_modules/.bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface SlugImageOptions {
  runImage: string;
  repo: string;
  tag: string;
  labels: Record<string, string>;
  /** The web command, the image's default command; none when the app has no web process. */
  webCommand: string | undefined;
  /** Called once /app is copied out of the build container, which may then go. */
  onExported?: () => void;
}

/**
 * Makes the app's slim run image: /app of the build container copied onto the run image (streamed
 * from engine to engine, never on the builder's disk), committed with the launcher as entrypoint.
 * The build image's compilers stay behind.
 */
export async function commitSlugImage(docker: Docker, buildContainer: Docker.Container, o: SlugImageOptions): Promise<string> {
  const slug = await docker.createContainer({ Image: o.runImage, Labels: o.labels });
  try {
    const tar = (await buildContainer.getArchive({ path: '/app' })) as Readable;
    await putArchive(slug, tar, '/');
    o.onExported?.();
    const config = {
      Entrypoint: ['/usr/local/bin/paas-exec'],
      Cmd: o.webCommand === undefined ? [] : [o.webCommand],
      WorkingDir: '/app',
      User: 'paas',
      Env: [`PATH=${slugPath}`, 'HOME=/app'],
      Labels: o.labels,
    };
    await slug.commit({
      _query: { container: slug.id, repo: o.repo, tag: o.tag, comment: 'paas slug' },
      _body: config,
    });
    return `${o.repo}:${o.tag}`;
  } finally {
    await removeContainer(slug);
  }
}

/** An image's size in bytes. */
export async function imageSize(docker: Docker, ref: string): Promise<number> {
  const info = await docker.getImage(ref).inspect();
  return info.Size;
}

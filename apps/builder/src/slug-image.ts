import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { AppError } from '@paas/shared';
import { putArchive, tarOfDirectories } from './docker-archive.js';
import { removeContainer } from './build-container.js';
import { runExec } from './docker-exec.js';

/** PATH of a slug's processes: the buildpacks' runtimes and the app's own binaries first. */
export const slugPath = [
  '/app/.heroku/venv/bin',
  '/app/.heroku/python/bin',
  '/app/.heroku/node/bin',
  '/app/node_modules/.bin',
  '/app/bin',
  '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
].join(':');

/** The repository of layer images (a directory of /app on a parent image, shared by every slug that has it). */
export const layerRepo = 'paas/layer';

/** Directories of /app that become layers of their own when big enough: runtimes and dependencies. */
const layerCandidates = ['.heroku/*', 'node_modules'];
const minLayerBytes = 1024 * 1024;
const paasUid = 1000;

/**
 * Run as root once the build is done: stops every process the build left (what is looked at is what
 * is copied), then moves each big layer candidate out of /app to /tmp/paas-layers/<n>/ and prints its
 * size, a fingerprint of its listing (names, types, modes, owners, sizes, the times of regular files,
 * symlink targets), n and its path. /app is then the app alone.
 */
export const layersScript = `
set -eu
kill -9 -1 2>/dev/null || true
cd /app
n=0
for p in ${layerCandidates.join(' ')}; do
  [ -d "$p" ] && [ ! -L "$p" ] || continue
  size=$(du -sb "$p" | cut -f1)
  [ "$size" -ge ${minLayerBytes} ] || continue
  n=$((n + 1))
  mkdir -p "/tmp/paas-layers/$n"
  mv "$p" "/tmp/paas-layers/$n/"
  fingerprint=$(cd "/tmp/paas-layers/$n" && find . \\( -type f -printf '%P\\t%y\\t%m\\t%U\\t%G\\t%s\\t%T@\\n' \\) -o -printf '%P\\t%y\\t%m\\t%U\\t%G\\t%l\\n' | LC_ALL=C sort | sha256sum | cut -d' ' -f1)
  printf '%s %s %s %s\n' "$size" "$fingerprint" "$n" "$p"
done
`;

/**
 * Prints a digest of the content of /tmp/paas-layers/<n> (names, modes, owners, symlinks and bytes;
 * not times). openssl's SHA-256 uses the CPU's SHA instructions; coreutils' may not.
 */
export const digestScript = `
set -eu
if command -v openssl >/dev/null; then sha256='openssl dgst -sha256 -r'; else sha256=sha256sum; fi
tar -C "/tmp/paas-layers/$1" --sort=name --mtime=@0 --numeric-owner -cf - . | $sha256 | cut -d' ' -f1
`;

export interface SlugLayer {
  /** Path under /app, e.g. `.heroku/node`. */
  path: string;
  bytes: number;
  /** The layer image's id. */
  image: string;
  reused: boolean;
}

export interface SlugImageOptions {
  runImage: string;
  cluster: string;
  app: string;
  repo: string;
  tag: string;
  labels: Record<string, string>;
  /** The web command, the image's default command; none when the app has no web process. */
  webCommand: string | undefined;
  /** Told about each layer as it is found or made. */
  onLayer?: (layer: SlugLayer) => Promise<void> | void;
  /** Called once /app is copied out of the build container, which may then go. */
  onExported?: () => void;
}

/**
 * Makes the app's run image from the build container's /app, on the slim run image. The big
 * directories that change rarely (a runtime like .heroku/node, node_modules) each become a layer
 * image of their own, made once and then reused: a code-only change exports and commits only the
 * app's own files, and engines that hold release N already hold most of N+1.
 *
 * Layers are named by a digest of their content and of the layer below (`paas/layer:<digest key>`),
 * so every app whose build produces the same bytes shares them. Digesting a 110 MB runtime costs
 * seconds of CPU on a busy builder, so an app's layer is also tagged with a fingerprint of its listing
 * (sizes and times, per app: `paas/layer:f-<key>`), and an app whose directory has the same
 * fingerprint as in an earlier build reuses that layer without digesting. A fingerprint only ever
 * names a layer made from the same app's build: no app can get another's bytes by it.
 *
 * Everything streams from engine to engine; nothing is buffered on the builder. The build image's
 * compilers stay behind.
 */
export async function commitSlugImage(docker: Docker, buildContainer: Docker.Container, o: SlugImageOptions): Promise<{ ref: string; layers: SlugLayer[] }> {
  const listed = await runExec(buildContainer, { cmd: ['bash', '-c', layersScript], user: 'root', captureStdout: true });
  if (listed.exitCode !== 0) throw new Error(`separating the slug's layers exited with ${listed.exitCode}`);

  let parent = (await docker.getImage(o.runImage).inspect()).Id;
  const layers: SlugLayer[] = [];
  for (const line of listed.stdout.split('\n').filter((l) => l !== '')) {
    const [size, fingerprint, n, ...rest] = line.split(' ');
    const path = rest.join(' ');
    const byFingerprint = `${layerRepo}:f-${hashKey(o.cluster, o.app, parent, path, fingerprint!)}`;
    let layer: SlugLayer;
    const known = await imageId(docker, byFingerprint);
    if (known !== undefined) {
      layer = { path, bytes: Number(size), image: known, reused: true };
    } else {
      const digest = await runExec(buildContainer, { cmd: ['bash', '-c', digestScript, 'digest', n!], user: 'root', captureStdout: true });
      if (digest.exitCode !== 0) throw new Error(`digesting /app/${path} exited with ${digest.exitCode}`);
      const key = hashKey(o.cluster, parent, path, digest.stdout.trim());
      const from = `/tmp/paas-layers/${n}/${posix.basename(path)}`;
      layer = await ensureLayer(docker, buildContainer, { parent, path, from, key, cluster: o.cluster, bytes: Number(size) });
      await docker.getImage(layer.image).tag({ repo: layerRepo, tag: byFingerprint.slice(layerRepo.length + 1) });
    }
    layers.push(layer);
    await o.onLayer?.(layer);
    parent = layer.image;
  }

  const slug = await docker.createContainer({ Image: parent, Labels: o.labels });
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
    return { ref: `${o.repo}:${o.tag}`, layers };
  } finally {
    await removeContainer(slug);
  }
}

/** The layer image of one /app directory on `parent`: the existing one, or made from the build container. */
async function ensureLayer(
  docker: Docker,
  buildContainer: Docker.Container,
  l: { parent: string; path: string; from: string; key: string; cluster: string; bytes: number },
): Promise<SlugLayer> {
  const ref = `${layerRepo}:${l.key}`;
  const existing = await imageId(docker, ref);
  if (existing !== undefined) return { path: l.path, bytes: l.bytes, image: existing, reused: true };
  // Layers carry the cluster label only: slugs of every app may stand on them.
  const container = await docker.createContainer({ Image: l.parent, Labels: { 'paas.cluster': l.cluster } });
  try {
    const parents = parentDirectories(`app/${l.path}`);
    await putArchive(container, tarOfDirectories(parents, { uid: paasUid, gid: paasUid, mode: 0o755 }), '/');
    const tar = (await buildContainer.getArchive({ path: l.from })) as Readable;
    await putArchive(container, tar, `/${posix.dirname(`app/${l.path}`)}`);
    const made = (await container.commit({ repo: layerRepo, tag: l.key, comment: `paas layer /app/${l.path}` })) as { Id: string };
    return { path: l.path, bytes: l.bytes, image: made.Id, reused: false };
  } catch (err) {
    throw new AppError('build_failed', `Could not make the layer of /app/${l.path}: ${(err as Error).message}`);
  } finally {
    await removeContainer(container);
  }
}

function hashKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
}

/** The id of the image a reference names; undefined when there is none. */
async function imageId(docker: Docker, ref: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(ref).inspect()).Id;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

/** `app/.heroku/node` → [`app`, `app/.heroku`]. */
function parentDirectories(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** An image's size in bytes. */
export async function imageSize(docker: Docker, ref: string): Promise<number> {
  const info = await docker.getImage(ref).inspect();
  return info.Size;
}

import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import { appNetworkName, cacheVolumeName, removeNetwork, renamedImageRef, slugImageRepo, type Logger } from '@paas/shared';
import { containerLabel as label } from './container-labels.js';

/**
 * `paas rename` on one Docker engine (see AppRenamer in runtime-backend.ts). Nothing on an engine can
 * be renamed or relabelled, so:
 * - each image of the app is copied under the new name by a build of `FROM <image>` with the new
 *   `paas.app` label (the classic builder: no layer is added, every layer is shared);
 * - the build cache volume is copied into a volume of the new name by a short container of one of
 *   the app's images (when that fails the next build starts cold: a cache is only a cache);
 * - `retireAppName` then removes what is left under the old name: containers, network, the old image
 *   tags (the images live on as the new ones' parents) and the old cache volume. Volumes of the
 *   app's data carry their id in their name and are not touched.
 */

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

async function exists(inspect: () => Promise<unknown>): Promise<boolean> {
  try {
    await inspect();
    return true;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw err;
  }
}

/** A build context holding only `Dockerfile`. */
function dockerfileContext(text: string): NodeJS.ReadableStream {
  const tar = pack();
  tar.entry({ name: 'Dockerfile' }, text);
  tar.finalize();
  return tar as unknown as NodeJS.ReadableStream;
}

/** Builds `FROM <id>` labelled for `to`, tagged `ref`. */
async function relabel(docker: Docker, id: string, ref: string, to: string, abortSignal?: AbortSignal): Promise<void> {
  const res = await docker.buildImage(dockerfileContext(`FROM ${id}\n`), {
    t: ref,
    labels: { [label.app]: to },
    pull: false,
    rm: true,
    forcerm: true,
    version: '1',
    networkmode: 'none',
    abortSignal,
  } as Docker.ImageBuildOptions & { abortSignal?: AbortSignal });
  let error: string | undefined;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      res,
      (err) => (err ? reject(err) : resolve()),
      (m: { error?: string; errorDetail?: { message?: string } }) => {
        if (m.error !== undefined) error = m.errorDetail?.message ?? m.error;
      },
    );
  });
  if (error !== undefined) throw new Error(`relabelling ${ref}: ${error}`);
}

/** Copies every image of `from` on this engine under `to` (idempotent); answers the new refs. */
export async function copyAppImages(docker: Docker, cluster: string, from: string, to: string, abortSignal?: AbortSignal): Promise<string[]> {
  const images = await docker.listImages({ filters: { label: [`${label.cluster}=${cluster}`, `${label.app}=${from}`] }, abortSignal });
  const made: string[] = [];
  for (const img of images) {
    for (const tag of img.RepoTags ?? []) {
      if (!tag.startsWith(`${slugImageRepo(from)}:`)) continue;
      const ref = renamedImageRef(tag, from, to);
      if (!(await exists(() => docker.getImage(ref).inspect()))) await relabel(docker, img.Id, ref, to, abortSignal);
      made.push(ref);
    }
  }
  return made;
}

/**
 * Copies the build cache volume of `from` into one of `to` (same epoch label), with a container of
 * `image` (one of the app's, which has `cp`). False when there was none or the copy failed (then no
 * cache volume of `to` is left behind).
 */
export async function copyCacheVolume(docker: Docker, cluster: string, from: string, to: string, image: string | undefined, log: Logger): Promise<boolean> {
  const source = cacheVolumeName(cluster, from);
  const target = cacheVolumeName(cluster, to);
  let labels: Record<string, string>;
  try {
    labels = (await docker.getVolume(source).inspect()).Labels ?? {};
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw err;
  }
  if (image === undefined) return false;
  await docker.createVolume({ Name: target, Labels: { ...labels, [label.app]: to } });
  let container: Docker.Container | undefined;
  try {
    container = await docker.createContainer({
      Image: image,
      Entrypoint: ['cp'],
      Cmd: ['-a', '/from/.', '/to/'],
      User: '0:0',
      Labels: { [label.cluster]: cluster, [label.app]: to, [label.role]: 'rename-copy' },
      NetworkDisabled: true,
      HostConfig: {
        NetworkMode: 'none',
        CapDrop: ['ALL'],
        CapAdd: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID'],
        SecurityOpt: ['no-new-privileges'],
        Mounts: [
          { Type: 'volume', Source: source, Target: '/from', ReadOnly: true },
          { Type: 'volume', Source: target, Target: '/to', ReadOnly: false },
        ],
      },
    });
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    if (StatusCode !== 0) throw new Error(`cp exited with ${StatusCode}`);
    return true;
  } catch (err) {
    log.warn({ from, to, err: (err as Error).message }, 'the build cache could not be copied to the new name: the next build starts cold');
    await container?.remove({ force: true }).catch(() => undefined);
    container = undefined;
    await docker.getVolume(target).remove().catch(() => undefined);
    return false;
  } finally {
    await container?.remove({ force: true }).catch(() => undefined);
  }
}

/**
 * Removes what is left of `from` on this engine after a rename: its containers (processes, one-offs,
 * anything labelled with it), its network, its image tags (untagged, never forced: the images live on
 * under the new name) and its build cache volume. Its data volumes stay (named by id, mounted under
 * the new name).
 */
export async function retireAppName(docker: Docker, cluster: string, from: string, stop: (id: string) => Promise<void>, log: Logger, abortSignal?: AbortSignal): Promise<void> {
  const labels = [`${label.cluster}=${cluster}`, `${label.app}=${from}`];
  const containers = await docker.listContainers({ all: true, filters: { label: labels }, abortSignal });
  await Promise.all(containers.map((c) => stop(c.Id)));
  if (!(await removeNetwork(docker, appNetworkName(cluster, from)))) log.warn({ app: from, network: appNetworkName(cluster, from) }, 'the old network of a renamed app is still in use: left');
  const images = await docker.listImages({ filters: { label: labels }, abortSignal });
  for (const img of images) {
    for (const tag of img.RepoTags ?? []) {
      if (!tag.startsWith(`${slugImageRepo(from)}:`)) continue;
      await docker
        .getImage(tag)
        .remove({ noprune: true })
        .catch((err: unknown) => {
          if (statusOf(err) !== 404) log.warn({ app: from, image: tag, err: (err as Error).message }, 'an old image tag of a renamed app could not be removed');
        });
    }
  }
  await docker
    .getVolume(cacheVolumeName(cluster, from))
    .remove()
    .catch((err: unknown) => {
      if (statusOf(err) !== 404) log.warn({ app: from, err: (err as Error).message }, 'the old build cache of a renamed app could not be removed');
    });
}

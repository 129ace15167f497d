import type Docker from 'dockerode';
import { containerLabel } from './container-labels.js';
import { platformLabels } from './container-hardening.js';

/**
 * Whether an image holds any of `paths` (a file or a link to one), read from a container of it that is
 * never started: e.g. whether an app's image has `psql` for `paas pg:psql`.
 */
export async function imageHasAny(docker: Docker, cluster: string, image: string, paths: readonly string[]): Promise<boolean> {
  const labels = (await docker.getImage(image).inspect()).Config?.Labels ?? {};
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['/nonexistent'],
    Labels: platformLabels({ [containerLabel.cluster]: cluster, [containerLabel.role]: 'inspect' }, labels),
    NetworkDisabled: true,
  });
  try {
    for (const path of paths) {
      try {
        await container.infoArchive({ path });
        return true;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      }
    }
    return false;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

import type Docker from 'dockerode';
import { removeContainer } from './build-container.js';
import { readContainerBytes } from './docker-archive.js';
import type { TarEntry } from './tar-merge.js';

export const extraCaPath = '/etc/paas/extra-ca.pem';
const bundlePath = '/etc/ssl/certs/ca-certificates.crt';

/**
 * The certificates a build trusts when the network intercepts TLS (PAAS_BUILD_CA_FILE): the extra CA
 * at /etc/paas/extra-ca.pem (NODE_EXTRA_CA_CERTS points there) and appended to the build image's own
 * bundle, which npm, pip, go, git and curl read. The image's bundle is read once per image.
 */
export class BuildTrust {
  private bundles = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly docker: Docker,
    private readonly cluster: string,
    private readonly extraCa: Buffer | undefined,
  ) {}

  /** Environment for the build container. */
  get env(): string[] {
    return this.extraCa ? [`NODE_EXTRA_CA_CERTS=${extraCaPath}`] : [];
  }

  /** Files to put into a build container of `image`; none without an extra CA. */
  async files(image: string): Promise<TarEntry[]> {
    if (!this.extraCa) return [];
    const id = (await this.docker.getImage(image).inspect()).Id;
    let bundle = this.bundles.get(id);
    if (!bundle) {
      bundle = this.readBundle(id);
      this.bundles.set(id, bundle);
      bundle.catch(() => this.bundles.delete(id));
    }
    const combined = Buffer.concat([await bundle, Buffer.from('\n'), this.extraCa]);
    return [
      { name: extraCaPath.slice(1), content: this.extraCa, mode: 0o644, uid: 0, gid: 0 },
      { name: bundlePath.slice(1), content: combined, mode: 0o644, uid: 0, gid: 0 },
    ];
  }

  private async readBundle(image: string): Promise<Buffer> {
    const container = await this.docker.createContainer({ Image: image, Cmd: ['true'], Labels: { 'paas.cluster': this.cluster } });
    try {
      return (await readContainerBytes(container, bundlePath)) ?? Buffer.alloc(0);
    } finally {
      await removeContainer(container);
    }
  }
}

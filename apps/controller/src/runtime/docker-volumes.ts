import type Docker from 'dockerode';
import { AppError } from '@paas/shared';
import { containerLabel } from './container-labels.js';
import type { VolumeMount } from './runtime-backend.js';

const isNotFound = (err: unknown): boolean => (err as { statusCode?: number }).statusCode === 404;

/**
 * An app's volumes on one engine: made on first use with their driver and options, and given to the
 * user the app runs as (a new volume's root belongs to root, and the app never runs as root): a
 * short-lived container of the app's own image, with CHOWN as its only capability and no network,
 * changes the owner of the empty volume once. Volumes are the only mounts of an app's container.
 */
export class DockerVolumes {
  private readonly preparing = new Map<string, Promise<void>>();

  constructor(private readonly o: { docker: Docker; cluster: string }) {}

  /** The Mounts of a container; each volume made and owned by `user` (the user the image runs as) first. */
  async mounts(app: string, mounts: readonly VolumeMount[], image: string, user: string | undefined): Promise<Docker.MountSettings[]> {
    for (const m of mounts) await this.prepare(app, m, image, user);
    return mounts.map((m) => ({ Type: 'volume' as const, Source: m.volume, Target: m.path, ReadOnly: false }));
  }

  async remove(volume: string): Promise<void> {
    try {
      await this.o.docker.getVolume(volume).remove();
    } catch (err) {
      if (isNotFound(err)) return;
      throw new AppError('unavailable', `could not remove volume ${volume}: ${(err as Error).message}`, { cause: err });
    }
  }

  private prepare(app: string, m: VolumeMount, image: string, user: string | undefined): Promise<void> {
    let p = this.preparing.get(m.volume);
    if (!p) {
      p = this.create(app, m, image, user).finally(() => this.preparing.delete(m.volume));
      this.preparing.set(m.volume, p);
    }
    return p;
  }

  private async create(app: string, m: VolumeMount, image: string, user: string | undefined): Promise<void> {
    try {
      await this.o.docker.getVolume(m.volume).inspect();
      return; // made before: its owner was set then
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await this.o.docker.createVolume({
      Name: m.volume,
      Driver: m.driver,
      DriverOpts: m.options,
      Labels: { [containerLabel.cluster]: this.o.cluster, [containerLabel.app]: app, 'paas.volume': m.name },
    });
    const owner = user ?? (await this.o.docker.getImage(image).inspect()).Config.User;
    if (!owner || owner === 'root' || owner.startsWith('0:') || owner === '0') return;
    const c = await this.o.docker.createContainer({
      Image: image,
      User: '0:0',
      Entrypoint: ['chown', owner, '/paas-volume'],
      Cmd: [],
      Labels: { [containerLabel.cluster]: this.o.cluster, [containerLabel.app]: app, [containerLabel.role]: 'volume-init' },
      NetworkDisabled: true,
      HostConfig: {
        CapDrop: ['ALL'],
        CapAdd: ['CHOWN'],
        SecurityOpt: ['no-new-privileges'],
        NetworkMode: 'none',
        PidsLimit: 16,
        Mounts: [{ Type: 'volume', Source: m.volume, Target: '/paas-volume' }],
      },
    });
    try {
      await c.start();
      const { StatusCode } = (await c.wait()) as { StatusCode: number };
      if (StatusCode !== 0) {
        throw new AppError('release_failed', `volume ${m.name}: could not give it to the app's user ${owner} (chown exited with ${StatusCode}; the image needs chown)`);
      }
    } catch (err) {
      await this.remove(m.volume).catch(() => undefined);
      throw err;
    } finally {
      await c.remove({ force: true }).catch(() => undefined);
    }
  }
}

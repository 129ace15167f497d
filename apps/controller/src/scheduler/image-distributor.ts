import type Docker from 'dockerode';
import { slugImageRepo, type Logger } from '@paas/shared';
import { transferImage } from '../runtime/image-transfer.js';
import { pruneAppImages } from '../runtime/docker-host-backend.js';
import { copyAppImages, copyCacheVolume, retireAppName } from '../runtime/docker-app-rename.js';
import { engineCall } from '../runtime/engine-call.js';

export interface ImageDistributorOptions {
  /** The engine the builder builds images in: images are copied from it to hosts that lack them. */
  imageSource: Docker;
  /** Label value scoping images to this platform. */
  cluster: string;
  /** The longest one copy of an image to a host may take. */
  transferTimeoutMs?: number;
  log: Logger;
}

/** A host an image can be sent to. */
export interface ImageTarget {
  name: string;
  docker: Docker;
}

/**
 * Images on the hosts: which host is known to hold which image (placement prefers those hosts), and
 * the copy of an image from the builder's engine to a host that lacks it before its first process
 * of that image: one copy per host and image at a time, however many processes wait for it.
 */
export class ImageDistributor {
  /** Host name → images it is known to hold. */
  private readonly held = new Map<string, Set<string>>();
  private readonly transfers = new Map<string, Promise<void>>();

  constructor(private readonly o: ImageDistributorOptions) {}

  /** The images `host` is known to hold. */
  imagesOn(host: string): ReadonlySet<string> {
    return this.held.get(host) ?? new Set();
  }

  /** Forgets what a host holds (it went down: it may come back without them). */
  forget(host: string): void {
    this.held.delete(host);
  }

  /**
   * Resolves once `host` holds `image`, copying it there when it lacks it. `signal` ends this
   * caller's wait (as `engine_timeout`); the copy itself runs to its own deadline for the others.
   */
  ensure(host: ImageTarget, image: string, signal?: AbortSignal): Promise<void> {
    if (this.held.get(host.name)?.has(image)) return Promise.resolve();
    const key = `${host.name} ${image}`;
    let t = this.transfers.get(key);
    if (!t) {
      t = this.copy(host, image).finally(() => this.transfers.delete(key));
      this.transfers.set(key, t);
    }
    return signal ? engineCall(signal, `sending ${image} to ${host.name}`, () => t) : t;
  }

  private async copy(host: ImageTarget, image: string): Promise<void> {
    const signal = AbortSignal.timeout(this.o.transferTimeoutMs ?? 600_000);
    try {
      await engineCall(signal, `looking for ${image} on ${host.name}`, () => host.docker.getImage(image).inspect());
    } catch (err) {
      if (signal.aborted) throw err;
      this.o.log.info({ host: host.name, image }, 'copying image to host');
      await transferImage(this.o.imageSource, host.docker, image, { signal });
    }
    let images = this.held.get(host.name);
    if (!images) this.held.set(host.name, (images = new Set()));
    images.add(image);
  }

  /** Prunes the app's old images on the engine images come from (see pruneAppImages). */
  pruneAtSource(app: string, keep: ReadonlySet<string>, signal?: AbortSignal): Promise<number> {
    return pruneAppImages(this.o.imageSource, this.o.cluster, app, keep, this.o.log, signal);
  }

  /** `paas rename` on the builder's engine: the app's images and its build cache (which lives there) under the new name. */
  async copyAppAtSource(from: string, to: string, signal?: AbortSignal): Promise<void> {
    const refs = await copyAppImages(this.o.imageSource, this.o.cluster, from, to, signal);
    await copyCacheVolume(this.o.imageSource, this.o.cluster, from, to, refs[0], this.o.log);
  }

  /** What is left under a renamed app's old name on the builder's engine (its containers are the hosts'). */
  async retireAppAtSource(from: string, signal?: AbortSignal): Promise<void> {
    for (const images of this.held.values()) for (const ref of [...images]) if (ref.startsWith(`${slugImageRepo(from)}:`)) images.delete(ref);
    await retireAppName(this.o.imageSource, this.o.cluster, from, async () => {}, this.o.log, signal);
  }
}

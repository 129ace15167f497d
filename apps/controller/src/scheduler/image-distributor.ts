import type Docker from 'dockerode';
import { slugImageRepo, type ImageRegistry, type Logger } from '@paas/shared';
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
  /**
   * The registry release images are pushed to: hosts pull from it, and `docker save | docker load`
   * from the builder's engine is the fallback when the pull fails (the registry unreachable from the
   * host, down, or without the image). None: every copy is a save and load.
   */
  registry?: ImageRegistry;
  /** Told how each copy went (metrics, tests). */
  onCopy?: (copy: ImageCopy) => void;
  log: Logger;
}

/** One image copied to one host. */
export interface ImageCopy {
  host: string;
  image: string;
  /** `registry`: pulled by the host; `transfer`: docker save on the builder's engine into docker load on the host. */
  via: 'registry' | 'transfer';
  ms: number;
  /** Why the registry was not used, when it was configured but the copy went by transfer. */
  fallbackReason?: string;
}

/** A host an image can be sent to. */
export interface ImageTarget {
  name: string;
  docker: Docker;
  /** A host on this machine (unix socket): it reaches the registry at the builder's address, not the hosts'. */
  local?: boolean;
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
      await this.fetch(host, image, signal);
    }
    let images = this.held.get(host.name);
    if (!images) this.held.set(host.name, (images = new Set()));
    images.add(image);
  }

  private async fetch(host: ImageTarget, image: string, signal: AbortSignal): Promise<void> {
    const started = Date.now();
    let fallbackReason: string | undefined;
    if (this.o.registry) {
      try {
        await this.o.registry.pull(host.docker, image, host.local ? 'push' : 'hosts', { signal });
        this.o.log.info({ host: host.name, image, ms: Date.now() - started }, 'image pulled from the registry');
        this.o.onCopy?.({ host: host.name, image, via: 'registry', ms: Date.now() - started });
        return;
      } catch (err) {
        if (signal.aborted) throw err;
        fallbackReason = (err as Error).message;
        this.o.log.warn({ host: host.name, image, err }, 'pulling from the registry failed: sending the image with docker save | docker load');
      }
    } else {
      this.o.log.info({ host: host.name, image }, 'copying image to host');
    }
    const sent = Date.now();
    await transferImage(this.o.imageSource, host.docker, image, { signal });
    this.o.onCopy?.({ host: host.name, image, via: 'transfer', ms: Date.now() - sent, ...(fallbackReason ? { fallbackReason } : {}) });
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

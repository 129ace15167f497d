/**
 * How a release's image reaches the Swarm nodes: a small seam, because the way it does today
 * (`docker save | docker load` from the builder's engine into every node's engine, the docker-hosts
 * runtime's ImageDistributor) is to be replaced by an image registry the nodes pull from (issue 19
 * item 2): then `ensure` pushes once to the registry and the service names the image by digest.
 *
 * `SaveLoadSwarmImages` needs each node's Docker API: the node label `paas.engine` holds its URL
 * (`docker node update --label-add paas.engine=tcp://10.0.0.5:2376 NODE`; `hosts:provision --swarm`
 * is to set it). A node without it cannot be sent images: ensuring an image names it.
 */
import Docker from 'dockerode';
import { AppError, dockerOptions, type Logger } from '@paas/shared';
import { ImageDistributor } from '../../scheduler/image-distributor.js';
import { pruneAppImages } from '../docker-host-backend.js';
import { engineCall } from '../engine-call.js';
import type { SwarmNode } from './swarm-tasks.js';

/** The node label naming a node's Docker API, for the image copy. */
export const engineLabel = 'paas.engine';

export interface SwarmImages {
  /** Resolves once every node Swarm may place a task on can run `image`. */
  ensure(image: string, signal?: AbortSignal): Promise<void>;
  /** Removes the app's images outside `keep` no container uses, on every node and at the source; answers how many went. */
  prune(app: string, keep: ReadonlySet<string>, signal?: AbortSignal): Promise<number>;
}

export interface SaveLoadSwarmImagesOptions {
  manager: Docker;
  /** The engine the builder builds in: images are copied from it. */
  imageSource: Docker;
  cluster: string;
  transferTimeoutMs?: number;
  log: Logger;
}

export class SaveLoadSwarmImages implements SwarmImages {
  private readonly distributor: ImageDistributor;
  private readonly engines = new Map<string, Docker>();

  constructor(private readonly o: SaveLoadSwarmImagesOptions) {
    this.distributor = new ImageDistributor({ imageSource: o.imageSource, cluster: o.cluster, transferTimeoutMs: o.transferTimeoutMs, log: o.log });
  }

  /** The engines of the nodes that are ready, by host name; a ready node without the label is an error. */
  private async nodes(signal?: AbortSignal): Promise<{ name: string; docker: Docker }[]> {
    const nodes = (await this.o.manager.listNodes({ abortSignal: signal } as object)) as SwarmNode[];
    const ready = nodes.filter((n) => n.Status?.State === 'ready' && n.Spec?.Availability !== 'drain');
    const missing = ready.filter((n) => !n.Spec?.Labels?.[engineLabel]);
    if (missing.length) {
      throw new AppError('unavailable', `Swarm node ${missing.map((n) => n.Description?.Hostname ?? n.ID).join(', ')} has no ${engineLabel} label: paas copies images to each node's Docker API (docker node update --label-add ${engineLabel}=tcp://ADDRESS:2375 NODE)`);
    }
    return ready.map((n) => {
      const url = n.Spec!.Labels![engineLabel]!;
      let docker = this.engines.get(url);
      if (!docker) this.engines.set(url, (docker = new Docker(dockerOptions(url))));
      return { name: n.Description?.Hostname ?? n.ID, docker };
    });
  }

  async ensure(image: string, signal?: AbortSignal): Promise<void> {
    const nodes = await this.nodes(signal);
    await Promise.all(nodes.map((n) => this.distributor.ensure(n, image, signal)));
  }

  /**
   * The exited containers a node keeps of the app's services that are gone (Swarm removes them a
   * moment after their service): they would keep the service's image from being pruned.
   */
  private async removeLeftovers(docker: Docker, app: string, live: ReadonlySet<string>, abortSignal: AbortSignal): Promise<void> {
    const containers = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${this.o.cluster}`, `paas.app=${app}`], status: ['exited', 'dead', 'created'] }, abortSignal });
    const gone = containers.filter((c) => {
      const service = c.Labels['com.docker.swarm.service.id'];
      return service !== undefined && !live.has(service);
    });
    await Promise.all(gone.map((c) => docker.getContainer(c.Id).remove({ force: true, abortSignal }).catch(() => undefined)));
  }

  async prune(app: string, keep: ReadonlySet<string>, signal?: AbortSignal): Promise<number> {
    const nodes = await this.nodes(signal);
    const live = new Set(((await this.o.manager.listServices({ abortSignal: signal } as object)) as { ID: string }[]).map((s) => s.ID));
    const counts = await Promise.all(
      nodes.map((n) =>
        engineCall(signal ?? AbortSignal.timeout(300_000), `pruning ${app}'s images on ${n.name}`, async (s) => {
          await this.removeLeftovers(n.docker, app, live, s);
          return pruneAppImages(n.docker, this.o.cluster, app, keep, this.o.log, s);
        }),
      ),
    );
    // What a node no longer holds is copied again when a process needs it.
    for (const n of nodes) this.distributor.forget(n.name);
    const atSource = await this.distributor.pruneAtSource(app, keep, signal);
    return counts.reduce((a, b) => a + b, atSource);
  }
}

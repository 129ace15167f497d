import type Docker from 'dockerode';
import type pg from 'pg';
import { AppError, type ImageRegistry, type Logger, type NetworkPool, type SecretBox } from '@paas/shared';
import type { HostRow } from '../db/hosts.js';
import type { AppRenamer, CallOptions, DiskUsageAware, ProcessDiskUsage, ProcessInfo, ProcessSpec, RuntimeBackend } from '../runtime/runtime-backend.js';
import type { AttachedOneOff, ImageFiles, OneOffIo, OneOffRunner, OneOffSpec } from '../runtime/one-off.js';
import { imageHasAny } from '../runtime/image-files.js';
import { engineCall, processNotFound } from '../runtime/engine-call.js';
import type { InternalNames } from '../runtime/internal-names.js';
import type { HardeningExceptions } from '../runtime/container-hardening.js';
import { PlacementError, type PlacementRequest } from './placement.js';
import type { PlacementIndex } from './placement-index.js';
import { SharedRefresh } from './shared-refresh.js';
import { HostRegistry, type HostHealthChange, type HostMember } from './host-registry.js';
import { ImageDistributor, type ImageCopy, type ImageTarget } from './image-distributor.js';
import { ClusterLoad } from './cluster-load.js';

export interface ClusterRuntimeOptions {
  pool: pg.Pool;
  /** Label value scoping containers to this platform. */
  cluster: string;
  /** The engine the builder builds images in: images are copied from it to hosts that lack them. */
  imageSource: Docker;
  /** Where a unix-socket (local) host publishes ports; remote hosts publish on their own address. */
  localPublishAddress: string;
  /** What placement reserves for a process without a memory limit. */
  defaultMemoryMb: number;
  /** PID limit of each app and one-off container. */
  pidsLimit?: number;
  /** Where the subnets of the apps' networks come from. */
  networkPool?: NetworkPool;
  /** Service discovery: the internal names each app's containers resolve (none: no entries). */
  internal?: InternalNames;
  /** The operator's loosening of an app's container hardening. */
  exceptions?: (app: string) => Promise<HardeningExceptions | undefined>;
  /** Consecutive failed health checks before a host is marked down. */
  failuresBeforeDown: number;
  /** The deadline of a call to a host's engine that gives none (60 s unless given). */
  callTimeoutMs?: number;
  /** The longest one copy of an image to a host may take (10 minutes unless given): a start's own deadline. */
  imageTransferTimeoutMs?: number;
  /** The registry hosts pull release images from (save and load is the fallback); none: save and load only. */
  imageRegistry?: ImageRegistry;
  /** Told how each image copy to a host went. */
  onImageCopy?: (copy: ImageCopy) => void;
  /** Opens the sealed TLS client keys of provisioned hosts. */
  hostCredentials?: SecretBox;
  /** How long listing one host may take before the listing goes on without it (10 s unless given). */
  hostListTimeoutMs?: number;
  log: Logger;
}

/**
 * Every registered Docker host as one runtime, composed of: the hosts (`HostRegistry`: membership
 * from the database, health), their images (`ImageDistributor`: copied to a host before its first
 * process of an image) and the placement state (`ClusterLoad`: processes are placed by
 * `PlacementIndex` for spread, capacity and image locality). Each host's own work is its
 * `DockerHostBackend`'s. Processes on hosts that are down are not listed, so the reconcile loop
 * replaces them elsewhere.
 */
export class ClusterRuntime implements RuntimeBackend, OneOffRunner, DiskUsageAware, AppRenamer, ImageFiles {
  readonly hostName = 'cluster';
  private readonly registry: HostRegistry;
  private readonly images: ImageDistributor;
  private readonly load: ClusterLoad;
  private readonly hostListTimeoutMs: number;

  constructor(private readonly o: ClusterRuntimeOptions) {
    this.images = new ImageDistributor({
      imageSource: o.imageSource,
      cluster: o.cluster,
      transferTimeoutMs: o.imageTransferTimeoutMs,
      ...(o.imageRegistry ? { registry: o.imageRegistry } : {}),
      ...(o.onImageCopy ? { onCopy: o.onImageCopy } : {}),
      log: o.log,
    });
    this.registry = new HostRegistry({ ...o, onReset: (host) => this.images.forget(host) });
    this.load = new ClusterLoad(o.defaultMemoryMb);
    this.hostListTimeoutMs = o.hostListTimeoutMs ?? 10_000;
  }

  /** Loads the host table; keeps the state of hosts that did not change. */
  refresh(): Promise<HostRow[]> {
    return this.registry.refresh();
  }

  hosts(): HostRow[] {
    return this.registry.rows();
  }

  /** The engines of the hosts that are up (the host firewall reaches the remote ones through them). */
  engines(): { row: HostRow; docker: Docker }[] {
    return this.registry.up().map((m) => ({ row: m.row, docker: m.docker }));
  }

  /** Pings every host; marks a host down after consecutive failures and up again when it answers. Returns hosts whose status changed. */
  checkHealth(): Promise<HostHealthChange[]> {
    return this.registry.checkHealth();
  }

  isDraining(host: string): boolean {
    return this.registry.isDraining(host);
  }

  async ping(): Promise<void> {
    await this.registry.loaded();
    if (this.registry.up().length === 0) throw new AppError('unavailable', 'no Docker host is up');
  }

  /** Placement's view of the hosts that are up. */
  private placementIndex(): PlacementIndex {
    return this.load.index(
      this.registry.up().map((m) => ({
        name: m.row.name,
        draining: m.row.draining,
        capacityMemoryMb: m.row.capacity_memory_mb,
        images: this.images.imagesOn(m.row.name),
      })),
    );
  }

  /** Places one process and records it in `index`; an AppError when no host can take it. */
  private placeOne(index: PlacementIndex, req: Omit<PlacementRequest, 'count'>): HostMember {
    try {
      const placed = index.place({ ...req, count: 1 });
      index.apply({ ...req, count: 1 }, placed);
      return this.registry.get(placed[0]!)!;
    } catch (err) {
      if (err instanceof PlacementError) throw new AppError('unavailable', err.message, { retryable: true });
      throw err;
    }
  }

  /**
   * The host of a process that mounts a local volume: the volume's host, up or not, never another
   * (its data is there). A host that is down or gone refuses the start with the reason.
   */
  private pinned(spec: ProcessSpec): HostMember {
    const host = spec.host!;
    const m = this.registry.get(host);
    const volumes = (spec.mounts ?? []).map((v) => v.name).join(', ');
    const name = `${spec.type}.${spec.index}`;
    if (!m) {
      throw new AppError('volume_host_lost', `${name} mounts the volume ${volumes}, whose data is on host ${host}, which is no longer registered: it cannot run elsewhere (destroy the volume with paas volumes:destroy to run ${spec.type} on other hosts)`);
    }
    if (m.row.status !== 'up') {
      throw new AppError('volume_host_lost', `${name} mounts the volume ${volumes}, whose data is on host ${host}, which is ${m.row.status}: it cannot move to another host; bring ${host} back (or destroy the volume)`, { retryable: true });
    }
    return m;
  }

  /** Removes a volume from its host, or from every host that is up. */
  async removeVolume(volume: string, host?: string): Promise<void> {
    const members = host === undefined ? this.registry.up() : [this.registry.get(host)].filter((m): m is HostMember => m !== undefined && m.row.status === 'up');
    await Promise.all(members.map((m) => m.backend.removeVolume(volume)));
  }

  async start(spec: ProcessSpec, opts?: CallOptions): Promise<ProcessInfo> {
    const [info] = await this.startMany([spec], opts);
    return info!;
  }

  /**
   * Places a batch of processes first (each placement sees the ones before it), then copies images
   * and starts the containers in parallel. Rejects with the first failure after the others settled;
   * what did start is stopped again.
   */
  async startMany(specs: ProcessSpec[], opts?: CallOptions): Promise<ProcessInfo[]> {
    await this.registry.loaded();
    const index = this.placementIndex();
    const chosen = specs.map((spec) =>
      spec.host === undefined ? this.placeOne(index, { app: spec.app, image: spec.image, memoryMb: spec.memoryMb ?? this.o.defaultMemoryMb }) : this.pinned(spec),
    );
    const results = await Promise.allSettled(
      specs.map(async (spec, i) => {
        const m = chosen[i]!;
        await this.images.ensure(imageTarget(m), spec.image, opts?.signal);
        const info = await m.backend.start(spec, opts);
        this.load.started(m.row.name, info, spec.memoryMb);
        return info;
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      await Promise.all(started.map((p) => this.stop(p.id, 0).catch(() => undefined)));
      throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    }
    return results.map((r) => (r as PromiseFulfilledResult<ProcessInfo>).value);
  }

  /**
   * Every host's processes, from a listing that began after the call: booting web processes, the
   * reconcile of each app and the API all list at once, and share listings instead of each listing
   * every host. A host that does not answer in time is left out (and logged).
   */
  private readonly listing = new SharedRefresh(() => this.listHosts());

  async list(filter: { app?: string } = {}, opts?: CallOptions): Promise<ProcessInfo[]> {
    const listing = this.listing.get();
    const all = opts?.signal ? await engineCall(opts.signal, 'listing the cluster', () => listing) : await listing;
    return all.filter((p) => !filter.app || p.app === filter.app);
  }

  private async listHosts(): Promise<ProcessInfo[]> {
    await this.registry.loaded();
    const all = await Promise.all(
      this.registry.up().map(async (m) => {
        try {
          const signal = AbortSignal.timeout(this.hostListTimeoutMs);
          const [procs, oneOffs] = await Promise.all([
            m.backend.list({}, { signal }),
            engineCall(signal, `listing one-offs on ${m.row.name}`, () => m.backend.listOneOffs()).catch(() => undefined),
          ]);
          this.load.listed(m.row.name, procs);
          if (oneOffs) this.load.listedOneOffs(m.row.name, oneOffs);
          return procs;
        } catch (err) {
          this.o.log.warn({ host: m.row.name, err: (err as Error).message }, 'cannot list host');
          return [];
        }
      }),
    );
    return all.flat();
  }

  private memberOf(id: string): HostMember | undefined {
    const host = this.load.hostOf(id);
    return host ? this.registry.get(host) : undefined;
  }

  async stop(id: string, graceSeconds: number, opts?: CallOptions): Promise<void> {
    const m = this.memberOf(id);
    if (!m) return;
    await m.backend.stop(id, graceSeconds, opts);
    this.load.stopped(m.row.name, id);
  }

  /** A process's output, from its host; one no listing has shown is looked for in a new listing first. */
  async logs(id: string, lines: number, opts?: CallOptions): Promise<string> {
    if (!this.memberOf(id)) await this.list({}, opts);
    const m = this.memberOf(id);
    if (!m) throw processNotFound(id);
    return m.backend.logs(id, lines, opts);
  }

  /**
   * On every host that answers, then on the engine images come from (the builder's). That engine is
   * usually the local host's: going after the hosts, it finds nothing left to remove there, instead of
   * racing the host's own prune over the same images.
   */
  async pruneImages(app: string, keep: ReadonlySet<string>, opts?: CallOptions): Promise<number> {
    const counts = await Promise.all(this.registry.up().map((m) => m.backend.pruneImages(app, keep, opts)));
    const atSource = await this.images.pruneAtSource(app, keep, opts?.signal);
    return counts.reduce((a, b) => a + b, atSource);
  }

  /** `paas rename`: the app's images and build cache under the new name, on the builder's engine and every host that is up. */
  async copyAppResources(from: string, to: string, opts?: CallOptions): Promise<void> {
    await this.images.copyAppAtSource(from, to, opts?.signal);
    await Promise.all(this.registry.up().map((m) => m.backend.copyAppResources(from, to, opts)));
  }

  /** What is left under an app's old name after a rename, everywhere. */
  async retireAppName(from: string, opts?: CallOptions): Promise<void> {
    await Promise.all(this.registry.up().map((m) => m.backend.retireAppName(from, opts)));
    await this.images.retireAppAtSource(from, opts?.signal);
  }

  async removeAppResources(app: string, opts?: CallOptions): Promise<void> {
    await Promise.all(this.registry.up().map((m) => m.backend.removeAppResources(app, opts)));
  }

  /** Disk use of the processes on every host that answers in time (one that does not is left out). */
  async diskUsage(opts?: CallOptions): Promise<ProcessDiskUsage[]> {
    await this.registry.loaded();
    const all = await Promise.all(
      this.registry.up().map((m) =>
        m.backend.diskUsage({ signal: opts?.signal ?? AbortSignal.timeout(this.hostListTimeoutMs) }).catch((err: unknown) => {
          this.o.log.warn({ host: m.row.name, err: (err as Error).message }, 'cannot measure disk use on host');
          return [];
        }),
      ),
    );
    return all.flat();
  }

  /** Processes running on one host (for drain and remove). */
  async listOn(host: string, opts?: CallOptions): Promise<ProcessInfo[]> {
    const m = this.registry.get(host);
    return m ? m.backend.list({}, opts) : [];
  }

  /** A one-off goes where a process of its app would (placement), with the image copied there first. */
  private async oneOffHost(spec: OneOffSpec): Promise<HostMember> {
    await this.registry.loaded();
    const m = this.placeOne(this.placementIndex(), { app: spec.app, image: spec.image, memoryMb: spec.memoryMb ?? this.o.defaultMemoryMb });
    await this.images.ensure(imageTarget(m), spec.image);
    return m;
  }

  async runAttached(spec: OneOffSpec, io: OneOffIo): Promise<AttachedOneOff> {
    const m = await this.oneOffHost(spec);
    const attached = await m.backend.runAttached(spec, io);
    this.load.oneOffStarted(m.row.name, attached.info, spec.memoryMb);
    void attached.exit.finally(() => this.load.oneOffEnded(m.row.name, attached.info.id)).catch(() => undefined);
    return attached;
  }

  async runDetached(spec: OneOffSpec): Promise<ProcessInfo> {
    const m = await this.oneOffHost(spec);
    const info = await m.backend.runDetached(spec);
    this.load.oneOffStarted(m.row.name, info, spec.memoryMb);
    return info;
  }

  /** Looked up where every image comes from: the builder's engine. */
  imageHasAny(image: string, paths: readonly string[]): Promise<boolean> {
    return engineCall(AbortSignal.timeout(60_000), `looking into ${image}`, () => imageHasAny(this.o.imageSource, this.o.cluster, image, paths));
  }

  async listOneOffs(filter: { app?: string } = {}): Promise<ProcessInfo[]> {
    await this.registry.loaded();
    const all = await Promise.all(
      this.registry.up().map(async (m) => {
        try {
          const procs = await engineCall(AbortSignal.timeout(this.hostListTimeoutMs), `listing one-offs on ${m.row.name}`, () => m.backend.listOneOffs(filter));
          this.load.listedOneOffs(m.row.name, procs, filter.app);
          return procs;
        } catch (err) {
          this.o.log.warn({ host: m.row.name, err: (err as Error).message }, 'cannot list one-offs on host');
          return [];
        }
      }),
    );
    return all.flat();
  }
}

function imageTarget(m: HostMember): ImageTarget {
  return { name: m.row.name, docker: m.docker, local: m.row.docker_url.startsWith('unix:') };
}

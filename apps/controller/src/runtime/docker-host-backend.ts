import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { appNetworkName, defaultNetworkPool, ensureBridgeNetwork, removeNetwork, type BridgeAddresses, type Logger, type NetworkPool } from '@paas/shared';
import { copyAppImages, copyCacheVolume, retireAppName } from './docker-app-rename.js';
import { imageHasAny } from './image-files.js';
import { processName, type AppRenamer, type CallOptions, type DiskUsageAware, type ProcessDiskUsage, type ProcessInfo, type ProcessSpec, type ProcessState, type RuntimeBackend } from './runtime-backend.js';
import { callSignal, engineCall, processNotFound } from './engine-call.js';
import { DockerOneOffs } from './docker-one-off.js';
import type { AttachedOneOff, ImageFiles, OneOffIo, OneOffRunner, OneOffSpec } from './one-off.js';
import { containerLabel } from './container-labels.js';
import { DockerVolumes } from './docker-volumes.js';
import { logText } from './log-frames.js';
import { defaultAppPidsLimit, hardenedHostConfig, ImageRunFactsCache, platformLabels, withExceptions, type HardeningExceptions } from './container-hardening.js';
import { hostsEntries, type AppNetworking, type InternalNames } from './internal-names.js';

export interface DockerHostOptions {
  docker: Docker;
  hostName: string;
  /** The IP ports are published on (127.0.0.1 by default). */
  publishAddress: string;
  /** Where the router and probes reach the published ports. */
  address: string;
  /** Label value that scopes every container to one platform (or one test run). */
  cluster: string;
  /** PID limit of each app and one-off container (PAAS_APP_PIDS_LIMIT; 512 unless given). */
  pidsLimit?: number;
  /** Where the subnets of the apps' networks come from (PAAS_NETWORK_POOL). */
  networkPool?: NetworkPool;
  /**
   * The deadline of a call that has none of its own, 60 s unless given: a stop's grace comes on top, and
   * the calls made of many engine requests (pruneImages, removeAppResources) get five times as long.
   */
  callTimeoutMs?: number;
  /** Service discovery: the internal names an app's containers resolve, and who learns of its subnets. */
  internal?: InternalNames;
  /** The operator's loosening of an app's hardening (db/app-hardening.ts), read at each container's creation. */
  exceptions?: (app: string) => Promise<HardeningExceptions | undefined>;
  log: Logger;
}

/** Docker's container ids: what `start` and `list` answer. Anything else is not one of ours. */
const containerId = /^[0-9a-f]{12,64}$/;

const label = containerLabel;

function isNotFound(err: unknown): boolean {
  const code = (err as { statusCode?: number }).statusCode;
  return code === 404 || code === 304;
}

/** Runs each process as a container on one Docker engine, labelled so state can be read back. */
export class DockerHostBackend implements RuntimeBackend, OneOffRunner, DiskUsageAware, AppRenamer, ImageFiles {
  readonly hostName: string;
  private readonly oneOffs: DockerOneOffs;
  private readonly images: ImageRunFactsCache;
  private readonly volumes: DockerVolumes;
  private readonly pidsLimit: number;
  private readonly ensuring = new Map<string, Promise<BridgeAddresses>>();
  private readonly callTimeoutMs: number;
  /**
   * Restart counts learnt by inspecting the processes a listing shows crashed (a listing does not
   * carry them, and inspecting every process would cost a call each): what a process that is up
   * again reports until it crashes again.
   */
  private readonly restarts = new Map<string, number>();

  constructor(private readonly opts: DockerHostOptions) {
    this.hostName = opts.hostName;
    this.images = new ImageRunFactsCache(opts.docker, opts.cluster);
    this.volumes = new DockerVolumes({ docker: opts.docker, cluster: opts.cluster });
    this.pidsLimit = opts.pidsLimit ?? defaultAppPidsLimit;
    this.callTimeoutMs = opts.callTimeoutMs ?? 60_000;
    this.oneOffs = new DockerOneOffs({ ...opts, images: this.images, pidsLimit: this.pidsLimit, network: (app) => this.appNetworking(app) });
  }

  /**
   * The app's own bridge network on this engine, made on first use (looked up at each start: another
   * controller may have removed it with the app): its processes and one-offs reach
   * each other there; other apps' networks and the host are out of reach (see host-firewall.ts).
   */
  async appNetwork(app: string): Promise<string> {
    return (await this.appNetworkAddresses(app)).name;
  }

  private async appNetworkAddresses(app: string): Promise<BridgeAddresses & { name: string }> {
    const name = appNetworkName(this.opts.cluster, app);
    // one check at a time per network: a batch of starts makes it once
    let ensuring = this.ensuring.get(name);
    if (ensuring === undefined) {
      ensuring = ensureBridgeNetwork(this.opts.docker, {
        name,
        labels: { [label.cluster]: this.opts.cluster, [label.app]: app, [label.role]: 'app-network' },
        icc: true,
        pool: this.opts.networkPool ?? defaultNetworkPool,
      }).finally(() => this.ensuring.delete(name));
      this.ensuring.set(name, ensuring);
    }
    return { name, ...(await ensuring) };
  }

  /**
   * The app's network, and the /etc/hosts entries of its containers: each internal name it may call
   * (internal-names.ts) at its network's gateway, where this host's router listens. The routers learn
   * the network's subnet first, so the source is known when the first call comes.
   */
  async appNetworking(app: string): Promise<AppNetworking> {
    const net = await this.appNetworkAddresses(app);
    const internal = this.opts.internal;
    if (!internal || net.subnet === undefined || net.gateway === undefined) return { name: net.name, extraHosts: [] };
    await internal.networkReady({ host: this.hostName, subnet: net.subnet, app });
    return { name: net.name, extraHosts: hostsEntries(await internal.names(app), internal.domain, net.gateway) };
  }

  runAttached(spec: OneOffSpec, io: OneOffIo): Promise<AttachedOneOff> {
    return this.oneOffs.runAttached(spec, io);
  }

  runDetached(spec: OneOffSpec): Promise<ProcessInfo> {
    return this.oneOffs.runDetached(spec);
  }

  imageHasAny(image: string, paths: readonly string[]): Promise<boolean> {
    return engineCall(callSignal(undefined, this.callTimeoutMs), `looking into ${image} on ${this.hostName}`, () => imageHasAny(this.opts.docker, this.opts.cluster, image, paths));
  }

  listOneOffs(filter?: { app?: string }): Promise<ProcessInfo[]> {
    return this.oneOffs.list(filter);
  }

  async ping(opts?: CallOptions): Promise<void> {
    await engineCall(callSignal(opts, this.callTimeoutMs), `pinging ${this.hostName}`, (abortSignal) =>
      // typed without options, though it takes them
      (this.opts.docker.ping as unknown as (o: { abortSignal: AbortSignal }) => Promise<unknown>).call(this.opts.docker, { abortSignal }),
    );
  }

  start(spec: ProcessSpec, opts?: CallOptions): Promise<ProcessInfo> {
    return engineCall(callSignal(opts, this.callTimeoutMs), `starting ${spec.app} ${processName(spec.type, spec.index)} on ${this.hostName}`, (signal) =>
      this.startWithin(spec, signal),
    );
  }

  private async startWithin(spec: ProcessSpec, abortSignal: AbortSignal): Promise<ProcessInfo> {
    const name = processName(spec.type, spec.index);
    const portKey = `${spec.port}/tcp`;
    const env = { ...spec.env, PORT: String(spec.port), DYNO: name };
    const image = await this.images.of(spec.image);
    const network = await this.appNetworking(spec.app);
    const hardened = withExceptions(hardenedHostConfig(this.pidsLimit), image.userOverride, await this.opts.exceptions?.(spec.app));
    const mounts = spec.mounts?.length ? await this.volumes.mounts(spec.app, spec.mounts, spec.image, hardened.user) : [];
    const container = await this.opts.docker.createContainer({
      abortSignal,
      name: `paas-${this.opts.cluster}-${spec.app}-${name}-v${spec.release}-${randomBytes(3).toString('hex')}`,
      Image: spec.image,
      Cmd: [spec.command],
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      User: hardened.user,
      Labels: platformLabels(
        {
          [label.cluster]: this.opts.cluster,
          [label.app]: spec.app,
          [label.release]: String(spec.release),
          [label.process]: name,
          [label.type]: spec.type,
          [label.command]: spec.command,
          [label.role]: 'process',
          ...(spec.memoryMb ? { [label.memory]: String(spec.memoryMb) } : {}),
          ...(spec.cpus ? { [label.cpus]: String(spec.cpus) } : {}),
          ...(spec.mounts?.length ? { [label.volumes]: spec.mounts.map((m) => `${m.name}:${m.path}`).join(',') } : {}),
        },
        image.labels,
      ),
      ExposedPorts: spec.publish ? { [portKey]: {} } : undefined,
      HostConfig: {
        ...hardened.hostConfig,
        // Its volumes, the only mounts it has.
        Mounts: mounts,
        NetworkMode: network.name,
        ExtraHosts: network.extraHosts,
        Init: true,
        Memory: spec.memoryMb ? spec.memoryMb * 1024 * 1024 : undefined,
        NanoCpus: spec.cpus ? Math.round(spec.cpus * 1e9) : undefined,
        RestartPolicy: { Name: 'always' },
        PortBindings: spec.publish ? { [portKey]: [{ HostIp: this.opts.publishAddress, HostPort: '' }] } : undefined,
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
      },
    });
    try {
      await container.start({ abortSignal });
      const info = await container.inspect({ abortSignal });
      return this.started(spec, name, portKey, info);
    } catch (err) {
      // Not left half-made: an aborted start removes what it created (without the aborted signal).
      await container.remove({ force: true }).catch(() => undefined);
      throw err;
    }
  }

  private started(spec: ProcessSpec, name: string, portKey: string, info: Docker.ContainerInspectInfo): ProcessInfo {
    const binding = info.NetworkSettings.Ports?.[portKey]?.[0];
    this.opts.log.info({ app: spec.app, release: spec.release, process: name, container: info.Id }, 'process started');
    return {
      id: info.Id,
      app: spec.app,
      release: spec.release,
      type: spec.type,
      name,
      host: this.hostName,
      address: this.opts.address,
      port: binding ? Number(binding.HostPort) : undefined,
      state: 'starting',
      command: spec.command,
      startedAt: new Date(info.State.StartedAt),
      restartCount: info.RestartCount,
      memoryMb: spec.memoryMb,
      cpus: spec.cpus,
      ...(spec.mounts?.length ? { volumes: spec.mounts.map((m) => `${m.name}:${m.path}`) } : {}),
    };
  }

  /** Removes a volume and its data from this engine (stop the processes mounting it first). */
  async removeVolume(volume: string): Promise<void> {
    await this.volumes.remove(volume);
  }

  list(filter: { app?: string } = {}, opts?: CallOptions): Promise<ProcessInfo[]> {
    return engineCall(callSignal(opts, this.callTimeoutMs), `listing ${this.hostName}`, (signal) => this.listWithin(filter, signal));
  }

  /** Bytes each running process has written to its writable layer (the engine's `SizeRw`). */
  diskUsage(opts?: CallOptions): Promise<ProcessDiskUsage[]> {
    return engineCall(callSignal(opts, this.callTimeoutMs), `measuring disk use on ${this.hostName}`, async (abortSignal) => {
      const labels = [`${label.cluster}=${this.opts.cluster}`, `${label.role}=process`];
      const containers = await this.opts.docker.listContainers({ size: true, filters: { label: labels, status: ['running'] }, abortSignal });
      return containers.map((c) => ({
        id: c.Id,
        app: c.Labels[label.app] ?? '',
        name: c.Labels[label.process] ?? '',
        host: this.hostName,
        bytes: (c as Docker.ContainerInfo & { SizeRw?: number }).SizeRw ?? 0,
      }));
    });
  }

  private async listWithin(filter: { app?: string }, abortSignal: AbortSignal): Promise<ProcessInfo[]> {
    const labels = [`${label.cluster}=${this.opts.cluster}`, `${label.role}=process`];
    if (filter.app) labels.push(`${label.app}=${filter.app}`);
    const containers = await this.opts.docker.listContainers({ all: true, filters: { label: labels }, abortSignal });
    await this.learnRestarts(containers, filter.app === undefined, abortSignal);
    return containers.map((c) => {
      const l = c.Labels;
      const published = c.Ports.find((p) => p.PublicPort && p.Type === 'tcp');
      return {
        id: c.Id,
        app: l[label.app] ?? '',
        release: Number(l[label.release] ?? 0),
        type: l[label.type] ?? '',
        name: l[label.process] ?? '',
        host: this.hostName,
        address: this.opts.address,
        port: published?.PublicPort,
        state: toState(c.State, c.Status),
        // Its restart policy (always) restarts what exits on its own, waiting in `restarting`; an
        // exited or dead container is one the engine will not start again (a kill, a stop from outside).
        abandoned: c.State === 'exited' || c.State === 'dead',
        command: l[label.command] ?? '',
        startedAt: new Date(c.Created * 1000),
        restartCount: this.restarts.get(c.Id) ?? 0,
        memoryMb: l[label.memory] ? Number(l[label.memory]) : undefined,
        cpus: l[label.cpus] ? Number(l[label.cpus]) : undefined,
        ...(l[label.volumes] ? { volumes: l[label.volumes]!.split(',') } : {}),
      };
    });
  }

  /**
   * Inspects the processes a listing shows crashed (restarting, or exited and not by a clean stop) for
   * their restart counts; a full listing (`complete`) also forgets the processes that are gone.
   */
  private async learnRestarts(containers: Docker.ContainerInfo[], complete: boolean, abortSignal: AbortSignal): Promise<void> {
    if (complete) {
      const listed = new Set(containers.map((c) => c.Id));
      for (const id of this.restarts.keys()) if (!listed.has(id)) this.restarts.delete(id);
    }
    const crashed = containers.filter((c) => toState(c.State, c.Status) === 'crashed');
    await Promise.all(
      crashed.map(async (c) => {
        try {
          const info = await this.opts.docker.getContainer(c.Id).inspect({ abortSignal });
          this.restarts.set(c.Id, info.RestartCount);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }),
    );
  }

  async stop(id: string, graceSeconds: number, opts?: CallOptions): Promise<void> {
    if (!containerId.test(id)) return;
    const signal = callSignal(opts, this.callTimeoutMs + graceSeconds * 1000);
    await engineCall(signal, `stopping ${id.slice(0, 12)} on ${this.hostName}`, async (abortSignal) => {
      const container = this.opts.docker.getContainer(id);
      try {
        // Keep the restart policy from bringing it back while it stops.
        await container.update({ RestartPolicy: { Name: 'no' }, abortSignal });
        await container.stop({ t: graceSeconds, abortSignal });
      } catch (err) {
        if (abortSignal.aborted) throw err;
        if (!isNotFound(err)) this.opts.log.warn({ container: id, err }, 'stop failed, removing by force');
      }
      try {
        await container.remove({ force: true, abortSignal });
      } catch (err) {
        if (!isNotFound(err) && (err as { statusCode?: number }).statusCode !== 409) throw err;
      }
      this.restarts.delete(id);
    });
  }

  async logs(id: string, lines: number, opts?: CallOptions): Promise<string> {
    if (!containerId.test(id)) throw processNotFound(id);
    return engineCall(callSignal(opts, this.callTimeoutMs), `reading the output of ${id.slice(0, 12)} on ${this.hostName}`, async (abortSignal) => {
      try {
        const buf = await this.opts.docker.getContainer(id).logs({ stdout: true, stderr: true, tail: lines, follow: false, abortSignal });
        return await logText(this.opts.docker, buf);
      } catch (err) {
        if (isNotFound(err)) throw processNotFound(id);
        throw err;
      }
    });
  }

  pruneImages(app: string, keep: ReadonlySet<string>, opts?: CallOptions): Promise<number> {
    return engineCall(callSignal(opts, this.callTimeoutMs * 5), `pruning ${app}'s images on ${this.hostName}`, (abortSignal) =>
      pruneAppImages(this.opts.docker, this.opts.cluster, app, keep, this.opts.log, abortSignal),
    );
  }

  /** `paas rename` on this engine (docker-app-rename.ts): the app's images and build cache under the new name. */
  copyAppResources(from: string, to: string, opts?: CallOptions): Promise<void> {
    return engineCall(callSignal(opts, this.callTimeoutMs * 5), `copying ${from}'s images to ${to} on ${this.hostName}`, async (abortSignal) => {
      const refs = await copyAppImages(this.opts.docker, this.opts.cluster, from, to, abortSignal);
      await copyCacheVolume(this.opts.docker, this.opts.cluster, from, to, refs[0], this.opts.log);
    });
  }

  /** What is left under an app's old name after a rename (docker-app-rename.ts). */
  retireAppName(from: string, opts?: CallOptions): Promise<void> {
    return engineCall(callSignal(opts, this.callTimeoutMs * 5), `removing ${from}'s old name from ${this.hostName}`, (abortSignal) =>
      retireAppName(this.opts.docker, this.opts.cluster, from, (id) => this.stop(id, 0, { signal: abortSignal }), this.opts.log, abortSignal),
    );
  }

  removeAppResources(app: string, opts?: CallOptions): Promise<void> {
    return engineCall(callSignal(opts, this.callTimeoutMs * 5), `removing ${app}'s resources from ${this.hostName}`, (abortSignal) =>
      this.removeWithin(app, abortSignal),
    );
  }

  private async removeWithin(app: string, abortSignal: AbortSignal): Promise<void> {
    const labels = [`${label.cluster}=${this.opts.cluster}`, `${label.app}=${app}`];
    const leftovers = await this.opts.docker.listContainers({ all: true, filters: { label: labels }, abortSignal });
    await Promise.all(leftovers.map((c) => this.stop(c.Id, 0, { signal: abortSignal })));
    const network = appNetworkName(this.opts.cluster, app);
    if (!(await removeNetwork(this.opts.docker, network))) this.opts.log.warn({ app, network }, 'the app network is still in use: left');
    const images = await this.opts.docker.listImages({ filters: { label: labels }, abortSignal });
    for (const img of images) {
      await this.opts.docker
        .getImage(img.Id)
        .remove({ force: true })
        .catch((err: unknown) => {
          if (!isNotFound(err)) this.opts.log.warn({ app, image: img.Id, err }, 'image removal failed');
        });
    }
    const { Volumes } = await this.opts.docker.listVolumes({ filters: { label: labels }, abortSignal });
    for (const v of Volumes ?? []) {
      await this.opts.docker
        .getVolume(v.Name)
        .remove()
        .catch((err: unknown) => this.opts.log.warn({ app, volume: v.Name, err }, 'volume removal failed'));
    }
  }
}

function toState(state: string, status: string): ProcessState {
  switch (state) {
    case 'running':
      return 'up';
    case 'created':
      return 'starting';
    case 'restarting':
      return 'crashed';
    case 'exited':
    case 'dead':
      return /Exited \(0\)/.test(status) ? 'down' : 'crashed';
    default:
      return 'down';
  }
}

/**
 * Removes the images of `app` on one engine whose tags are all outside `keep`; one still used by a
 * container (even a stopped one) is left for a later run. Untagged parents (a Dockerfile build's
 * steps) go with their image; the shared layer images are not the app's and stay.
 */
export async function pruneAppImages(
  docker: Docker,
  cluster: string,
  app: string,
  keep: ReadonlySet<string>,
  log: Logger,
  abortSignal?: AbortSignal,
): Promise<number> {
  const images = await docker.listImages({ filters: { label: [`${label.cluster}=${cluster}`, `${label.app}=${app}`] }, abortSignal });
  let removed = 0;
  for (const img of images) {
    const tags = (img.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
    if (tags.length === 0 || tags.some((t) => keep.has(t))) continue;
    try {
      // never forced: the engine refuses an image a container uses, which is what keeps it
      await docker.getImage(img.Id).remove({ abortSignal });
      removed++;
    } catch (err) {
      if (abortSignal?.aborted) throw err;
      const status = (err as { statusCode?: number }).statusCode;
      if (status !== 404 && status !== 409) log.warn({ app, image: img.Id, err }, 'could not remove an old release image');
    }
  }
  return removed;
}

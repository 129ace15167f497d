import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { AppError, appNetworkName, sleep, type Logger } from '@paas/shared';
import type { CallOptions, ProcessInfo, ProcessSpec, RuntimeBackend } from '../runtime-backend.js';
import { callSignal, engineCall, processNotFound } from '../engine-call.js';
import { containerLabel } from '../container-labels.js';
import { defaultAppPidsLimit, ImageRunFactsCache, type HardeningExceptions } from '../container-hardening.js';
import { logText } from '../log-frames.js';
import type { ApplyOptions, FormationEntry, FormationRuntime } from '../formation-runtime.js';
import type { AttachedOneOff, OneOffIo, OneOffRunner, OneOffSpec } from '../one-off.js';
import { serviceName, serviceSpec, type SwarmServiceContext, type SwarmServiceRequest } from './swarm-service-spec.js';
import { lastFailure, nodeAddress, parseProcessId, processesOf, type SwarmNode, type SwarmService, type SwarmTask } from './swarm-tasks.js';
import { engineLabel, type SwarmImages } from './swarm-images.js';
import type { HostRow } from '../../db/hosts.js';
import { SwarmOneOffs } from './swarm-one-off.js';

export interface SwarmRuntimeOptions {
  /** The Docker API of a Swarm manager (PAAS_SWARM_MANAGER). */
  manager: Docker;
  /** Label value scoping services to this platform. */
  cluster: string;
  /** How images reach the nodes (swarm-images.ts). */
  images: SwarmImages;
  /** The engine the builder builds in: what the runtime reads of an image (its user, entrypoint, labels). */
  imageSource: Docker;
  pidsLimit?: number;
  /** Seconds an old web task keeps serving after Swarm stops it (PAAS_DRAIN_SECONDS). */
  drainSeconds?: number;
  /** Seconds between SIGTERM and SIGKILL (PAAS_STOP_GRACE): Swarm's is per service, not per stop. */
  stopGraceSeconds?: number;
  /** Seconds before Swarm restarts a task that exited (2 unless given). */
  restartDelaySeconds?: number;
  healthIntervalSeconds?: number;
  /** A web process must pass its health check within this long (PAAS_BOOT_TIMEOUT, seconds). */
  bootTimeoutSeconds?: number;
  /** The deadline of a call that gives none (60 s unless given); removals get five times as long. */
  callTimeoutMs?: number;
  exceptions?: (app: string) => Promise<HardeningExceptions | undefined>;
  log: Logger;
}

const label = containerLabel;
/** The label holding a hash of the spec the platform asked for: an unchanged formation is not updated. */
const specLabel = 'paas.spec';

function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 404;
}

/**
 * The Docker Swarm runtime (PAAS_RUNTIME=swarm): each process type of an app is a replicated service
 * `<app>-<type>` (swarm-service-spec.ts); Swarm places its tasks, restarts them, recovers them from a
 * lost node and rolls releases out start-first behind health checks, rolling back on failure. The
 * platform's processes are the services' slots (swarm-tasks.ts). Deploys use `applyFormation`
 * (formation-runtime.ts); `start`/`stop` of single processes are the RuntimeBackend contract's: a
 * start makes the type's service run the spec's release with at least `index` replicas, a stop
 * takes one replica away (Swarm picks which when there are several).
 */
export class SwarmRuntime implements RuntimeBackend, FormationRuntime, OneOffRunner {
  readonly hostName = 'swarm';
  private readonly facts: ImageRunFactsCache;
  private readonly callTimeoutMs: number;
  private readonly oneOffs: SwarmOneOffs;
  private readonly networks = new Map<string, Promise<string>>();

  constructor(private readonly o: SwarmRuntimeOptions) {
    this.facts = new ImageRunFactsCache(o.imageSource, o.cluster);
    this.callTimeoutMs = o.callTimeoutMs ?? 60_000;
    this.oneOffs = new SwarmOneOffs({
      manager: o.manager,
      cluster: o.cluster,
      prepare: (app, image, signal) => this.prepare(app, image, signal),
      log: o.log,
    });
  }

  async ping(opts?: CallOptions): Promise<void> {
    await engineCall(callSignal(opts, this.callTimeoutMs), 'pinging the Swarm manager', async (abortSignal) => {
      const info = (await (this.o.manager.info as unknown as (o: object) => Promise<unknown>).call(this.o.manager, { abortSignal })) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
      if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable) {
        throw new AppError('unavailable', `PAAS_SWARM_MANAGER is not a Swarm manager (its swarm state: ${info.Swarm?.LocalNodeState ?? 'none'})`, { retryable: true });
      }
    });
  }

  /** The app's overlay network (made on first use), the image on the nodes, and what the service needs to know of it. */
  private async prepare(app: string, image: string, signal: AbortSignal): Promise<SwarmServiceContext> {
    await this.o.images.ensure(image, signal);
    const [network, facts, inspected, exceptions] = await Promise.all([
      this.network(app),
      this.facts.of(image),
      this.o.imageSource.getImage(image).inspect(),
      this.o.exceptions?.(app),
    ]);
    return {
      cluster: this.o.cluster,
      network,
      pidsLimit: this.o.pidsLimit ?? defaultAppPidsLimit,
      userOverride: facts.userOverride,
      exceptions,
      entrypoint: typeof inspected.Config?.Entrypoint === 'string' ? [inspected.Config.Entrypoint] : (inspected.Config?.Entrypoint ?? []),
      drainSeconds: this.o.drainSeconds ?? 0,
      stopGraceSeconds: this.o.stopGraceSeconds ?? 10,
      restartDelaySeconds: this.o.restartDelaySeconds ?? 2,
      healthIntervalSeconds: this.o.healthIntervalSeconds ?? 2,
    };
  }

  private network(app: string): Promise<string> {
    const name = appNetworkName(this.o.cluster, app);
    let ensuring = this.networks.get(name);
    if (!ensuring) {
      ensuring = (async () => {
        const found = (await this.o.manager.listNetworks({ filters: { name: [name] } })).find((n) => n.Name === name);
        if (found) return name;
        await this.o.manager
          .createNetwork({ Name: name, Driver: 'overlay', CheckDuplicate: true, Labels: { [label.cluster]: this.o.cluster, [label.app]: app, [label.role]: 'app-network' } })
          .catch((err: unknown) => {
            if ((err as { statusCode?: number }).statusCode !== 409) throw err;
          });
        return name;
      })().finally(() => this.networks.delete(name));
      this.networks.set(name, ensuring);
    }
    return ensuring;
  }

  private async services(filter: { app?: string; role?: string }, abortSignal?: AbortSignal): Promise<SwarmService[]> {
    const labels = [`${label.cluster}=${this.o.cluster}`, `${label.role}=${filter.role ?? 'process'}`];
    if (filter.app) labels.push(`${label.app}=${filter.app}`);
    return (await this.o.manager.listServices({ filters: { label: labels }, abortSignal } as object)) as SwarmService[];
  }

  private async tasksOf(services: readonly SwarmService[], abortSignal?: AbortSignal): Promise<SwarmTask[]> {
    if (services.length === 0) return [];
    try {
      return (await this.o.manager.listTasks({ filters: { service: services.map((s) => s.ID) }, abortSignal })) as SwarmTask[];
    } catch (err) {
      // A service removed meanwhile: its tasks are going with it.
      if (isNotFound(err)) return services.length === 1 ? [] : this.tasksOfEach(services, abortSignal);
      throw err;
    }
  }

  private async tasksOfEach(services: readonly SwarmService[], abortSignal?: AbortSignal): Promise<SwarmTask[]> {
    return (await Promise.all(services.map((s) => this.tasksOf([s], abortSignal)))).flat();
  }

  /** The nodes of the last listing (for the log collector: logHosts). */
  private seenNodes: SwarmNode[] = [];

  private async nodes(abortSignal?: AbortSignal): Promise<SwarmNode[]> {
    this.seenNodes = (await this.o.manager.listNodes({ abortSignal } as object)) as SwarmNode[];
    return this.seenNodes;
  }

  /**
   * The nodes as hosts whose containers the log collector follows (logs/log-collector.ts: it reads
   * the tasks' output through each node's Docker API, the `paas.engine` label); `swarm-<hostname>`.
   */
  logHosts(): HostRow[] {
    return this.seenNodes.flatMap((n) => {
      const url = n.Spec?.Labels?.[engineLabel];
      if (!url) return [];
      const name = `swarm-${n.Description?.Hostname ?? n.ID}`;
      return [{ id: n.ID, name, docker_url: url, address: nodeAddress(n), capacity_memory_mb: null, labels: {}, tls: null, status: n.Status?.State === 'ready' ? 'up' : 'down', draining: false, last_seen_at: null, last_error: null, created_at: new Date(0), provision: null }];
    });
  }

  list(filter: { app?: string } = {}, opts?: CallOptions): Promise<ProcessInfo[]> {
    return engineCall(callSignal(opts, this.callTimeoutMs), 'listing the Swarm services', (signal) => this.listWithin(filter, signal));
  }

  private async listWithin(filter: { app?: string }, signal: AbortSignal): Promise<ProcessInfo[]> {
    const services = await this.services(filter, signal);
    const [tasks, nodes] = await Promise.all([this.tasksOf(services, signal), this.nodes(signal)]);
    return processesOf(services, tasks, nodes);
  }

  /** Creates the type's service, or updates it when what the platform asks for changed (a release: rolled out start-first). */
  private async upsert(req: SwarmServiceRequest, ctx: SwarmServiceContext, signal: AbortSignal, force = false): Promise<SwarmService> {
    const spec = serviceSpec(req, ctx);
    const { Mode: _mode, ...shape } = spec;
    const hash = createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 32);
    spec.Labels = { ...spec.Labels, [specLabel]: hash };
    const existing = await this.inspect(spec.Name!, signal);
    if (!existing) {
      await this.o.manager.createService({ ...spec, abortSignal: signal });
      this.o.log.info({ app: req.app, release: req.release, type: req.type, replicas: req.replicas }, 'swarm service created');
      return (await this.inspect(spec.Name!, signal))!;
    }
    const labels = existing.Spec.Labels ?? {};
    if (labels[label.cluster] !== this.o.cluster || labels[label.app] !== req.app) {
      throw new AppError('name_taken', `the Swarm service ${spec.Name} belongs to another app or platform`);
    }
    const replicas = existing.Spec.Mode?.Replicated?.Replicas;
    if (!force && labels[specLabel] === hash && replicas === req.replicas) return existing;
    const next =
      !force && labels[specLabel] === hash
        ? { ...existing.Spec, Mode: { Replicated: { Replicas: req.replicas } } }
        : { ...spec, TaskTemplate: { ...spec.TaskTemplate, ForceUpdate: ((existing.Spec.TaskTemplate as { ForceUpdate?: number })?.ForceUpdate ?? 0) + (force ? 1 : 0) } };
    await this.o.manager.getService(existing.ID).update({ ...next, version: existing.Version.Index, abortSignal: signal } as object);
    this.o.log.info({ app: req.app, release: req.release, type: req.type, replicas: req.replicas, rolled: labels[specLabel] !== hash || force }, 'swarm service updated');
    return (await this.inspect(spec.Name!, signal))!;
  }

  private async inspect(name: string, abortSignal?: AbortSignal): Promise<(SwarmService & { Spec: Docker.ServiceSpec & { Labels?: Record<string, string> }; Version: { Index: number } }) | undefined> {
    try {
      return (await this.o.manager.getService(name).inspect({ abortSignal } as object)) as never;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  start(spec: ProcessSpec, opts?: CallOptions): Promise<ProcessInfo> {
    return engineCall(callSignal(opts, this.callTimeoutMs), `starting ${spec.app} ${spec.type}.${spec.index} on Swarm`, async (signal) => {
      if (spec.mounts?.length) throw new AppError('unavailable', 'volumes are not supported by the Swarm runtime (a local volume lives on one node)');
      const ctx = await this.prepare(spec.app, spec.image, signal);
      const current = await this.inspect(serviceName(spec.app, spec.type), signal).catch(() => undefined);
      const replicas = Math.max(spec.index, current?.Spec.Mode?.Replicated?.Replicas ?? 0);
      const svc = await this.upsert({ ...spec, replicas, checks: [], bootTimeoutSeconds: this.o.bootTimeoutSeconds ?? 60, gated: false }, ctx, signal);
      for (;;) {
        const procs = processesOf([svc], await this.tasksOf([svc], signal), await this.nodes(signal));
        const p = procs.find((x) => x.id === `${svc.ID}.${spec.index}`);
        if (p && p.release === spec.release && p.state === 'up' && (!spec.publish || p.port !== undefined)) return p;
        await sleep(250);
        if (signal.aborted) throw signal.reason;
      }
    });
  }

  async stop(id: string, _graceSeconds: number, opts?: CallOptions): Promise<void> {
    const parsed = parseProcessId(id);
    // The older task of a slot being updated: Swarm stops it itself.
    if (!parsed || parsed.task) return;
    await engineCall(callSignal(opts, this.callTimeoutMs + (this.o.stopGraceSeconds ?? 10) * 1000 + (this.o.drainSeconds ?? 0) * 1000), `stopping ${id} on Swarm`, (signal) =>
      // One scale-down of a service at a time: each is an update of its spec at the version it read.
      this.inOrder(parsed.service, () => this.stopWithin(parsed.service, signal)),
    );
  }

  private readonly serviceQueues = new Map<string, Promise<unknown>>();

  private inOrder<T>(service: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.serviceQueues.get(service) ?? Promise.resolve()).catch(() => undefined).then(fn);
    this.serviceQueues.set(service, run);
    void run.catch(() => undefined).finally(() => {
      if (this.serviceQueues.get(service) === run) this.serviceQueues.delete(service);
    });
    return run;
  }

  private async stopWithin(service: string, signal: AbortSignal): Promise<void> {
    const svc = await this.inspect(service, signal);
    if (!svc || svc.Spec.Labels?.[label.cluster] !== this.o.cluster) return;
    if (svc.Spec.Labels?.[label.role] === 'run') return this.oneOffs.remove(svc.ID, signal);
    const replicas = svc.Spec.Mode?.Replicated?.Replicas ?? 0;
    await this.o.manager.getService(svc.ID).update({ ...svc.Spec, Mode: { Replicated: { Replicas: Math.max(0, replicas - 1) } }, version: svc.Version.Index, abortSignal: signal } as object);
    if (replicas <= 1) {
      // Its tasks get SIGTERM (and SIGKILL after the service's grace) as they scale away; then it goes.
      await this.untilStopped([svc], signal);
      await this.o.manager.getService(svc.ID).remove({ abortSignal: signal } as object).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
  }

  /** Waits until no task of the services runs any more. */
  private async untilStopped(services: readonly SwarmService[], signal: AbortSignal): Promise<void> {
    while ((await this.tasksOf(services, signal)).some((t) => ['running', 'starting', 'preparing', 'assigned', 'accepted', 'pending', 'ready'].includes(t.Status?.State ?? ''))) {
      await sleep(250);
    }
  }

  async logs(id: string, lines: number, opts?: CallOptions): Promise<string> {
    const parsed = parseProcessId(id);
    if (!parsed) throw processNotFound(id);
    return engineCall(callSignal(opts, this.callTimeoutMs), `reading the output of ${id} on Swarm`, async (signal) => {
      const svc = await this.inspect(parsed.service, signal);
      if (!svc || svc.Spec.Labels?.[label.cluster] !== this.o.cluster) throw processNotFound(id);
      const tasks = await this.tasksOf([svc], signal);
      const oneOff = svc.Spec.Labels?.[label.role] === 'run';
      const task = parsed.task
        ? tasks.find((t) => t.ID === parsed.task)
        : tasks.filter((t) => oneOff || t.Slot === parsed.slot).sort((a, b) => Date.parse(b.CreatedAt ?? '') - Date.parse(a.CreatedAt ?? ''))[0];
      if (!task) throw processNotFound(id);
      const answer = await (this.o.manager.getTask(task.ID) as unknown as { logs(o: object): Promise<unknown> }).logs({ stdout: true, stderr: true, tail: lines, follow: false, abortSignal: signal });
      return logText(this.o.manager, answer);
    });
  }

  pruneImages(app: string, keep: ReadonlySet<string>, opts?: CallOptions): Promise<number> {
    return engineCall(callSignal(opts, this.callTimeoutMs * 5), `pruning ${app}'s images on the Swarm nodes`, (signal) => this.o.images.prune(app, keep, signal));
  }

  removeAppResources(app: string, opts?: CallOptions): Promise<void> {
    return engineCall(callSignal(opts, this.callTimeoutMs * 5), `removing ${app}'s services from Swarm`, async (signal) => {
      const services = [...(await this.services({ app }, signal)), ...(await this.services({ app, role: 'run' }, signal))];
      await Promise.all(services.map((s) => this.o.manager.getService(s.ID).remove({ abortSignal: signal } as object).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      })));
      await this.untilStopped(services, signal);
      const name = appNetworkName(this.o.cluster, app);
      // The network goes once no task is attached to it any more (the nodes detach them shortly after).
      for (let i = 0; i < 20; i++) {
        try {
          await this.o.manager.getNetwork(name).remove({ abortSignal: signal } as object);
          break;
        } catch (err) {
          if (isNotFound(err)) break;
          await sleep(500);
        }
      }
      await this.o.images.prune(app, new Set(), signal);
    });
  }

  async applyFormation(app: string, formation: FormationEntry[], opts: ApplyOptions): Promise<ProcessInfo[]> {
    const signal = opts.signal ?? AbortSignal.timeout(this.callTimeoutMs * 10);
    return engineCall(signal, `rolling ${app} out on Swarm`, async (s) => {
      const wanted = formation.filter((f) => f.quantity > 0);
      if (wanted.some((f) => f.mounts?.length)) throw new AppError('unavailable', 'volumes are not supported by the Swarm runtime (a local volume lives on one node)');
      const services = await Promise.all(
        wanted.map(async (f) => {
          const ctx = await this.prepare(app, f.image, s);
          const { quantity, ...rest } = f;
          return this.upsert({ ...rest, replicas: quantity, gated: true }, ctx, s, opts.restart?.has(f.type) ?? false);
        }),
      );
      const keep = new Set(services.map((x) => x.ID));
      const extra = (await this.services({ app }, s)).filter((x) => !keep.has(x.ID));
      await Promise.all(extra.map((x) => this.o.manager.getService(x.ID).remove({ abortSignal: s } as object).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      })));
      if (!opts.wait) return this.listWithin({ app }, s);
      return this.converged(app, wanted, opts, s);
    });
  }

  /** Waits until every type runs its release with its quantity, reporting progress; a rollback is a release_failed. */
  private async converged(app: string, wanted: FormationEntry[], opts: ApplyOptions, signal: AbortSignal): Promise<ProcessInfo[]> {
    for (;;) {
      const services = await this.services({ app }, signal);
      const [tasks, nodes] = await Promise.all([this.tasksOf(services, signal), this.nodes(signal)]);
      const procs = processesOf(services, tasks, nodes);
      await opts.progress?.(procs);
      const failed = services.find((x) => ['rollback_started', 'rollback_completed', 'rollback_paused', 'paused'].includes(x.UpdateStatus?.State ?? ''));
      if (failed) {
        const why = lastFailure(tasks.filter((t) => t.ServiceID === failed.ID)) ?? failed.UpdateStatus?.Message ?? 'its new tasks failed';
        throw new AppError('release_failed', `${failed.Spec?.Labels?.[label.process]} did not start (${why}); Swarm rolled it back to the previous release`);
      }
      const done = wanted.every((f) => {
        const svc = services.find((x) => x.Spec?.Labels?.[label.process] === f.type);
        const state = svc?.UpdateStatus?.State;
        const mine = procs.filter((p) => p.type === f.type && p.release === f.release && p.state === 'up' && !p.id.split('.')[2]);
        return svc !== undefined && (state === undefined || state === 'completed') && mine.length === f.quantity && procs.filter((p) => p.type === f.type).length === f.quantity;
      });
      if (done) return procs;
      await sleep(250);
    }
  }

  runAttached(spec: OneOffSpec, io: OneOffIo): Promise<AttachedOneOff> {
    return this.oneOffs.runAttached(spec, io);
  }

  runDetached(spec: OneOffSpec): Promise<ProcessInfo> {
    return this.oneOffs.runDetached(spec);
  }

  listOneOffs(filter?: { app?: string }): Promise<ProcessInfo[]> {
    return this.oneOffs.list(filter);
  }
}

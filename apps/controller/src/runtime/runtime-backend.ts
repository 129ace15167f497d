/**
 * The runtime seam: where an app's processes run. Implementations: `DockerHostBackend` (one Docker
 * engine), `ClusterRuntime` (every registered Docker host, with placement) and `MemoryRuntimeBackend`
 * (the in-process fake of API tests); a Docker Swarm backend is the next. All of them pass
 * `runtime-backend.contract.ts`; docs/runtime-backend.md says what a new one must do.
 *
 * The contract, in short:
 * - A process is identified by the id `start` answers (the engine's). Ids are opaque strings; one the
 *   runtime does not know (never started, already stopped, malformed) is not an engine failure:
 *   `stop` ignores it (stopping is idempotent: the reconcile stops what it saw, maybe twice) and
 *   `logs` rejects with the AppError `process_not_found`.
 * - Every call takes `CallOptions.signal`: when it aborts, the call rejects with the AppError
 *   `engine_timeout` (retryable) and leaves nothing half-made it knows of. Without a signal each
 *   implementation still applies its own deadline: an engine that accepts a connection and never
 *   answers must not hang the controller. `list` of a runtime of many engines may instead answer
 *   without the engines that did not answer (their processes are then replaced elsewhere).
 * - `stop(id, grace)` sends SIGTERM, waits up to `grace` seconds, then SIGKILL, then removes: the
 *   process is no longer listed when it resolves. The engine does not restart it meanwhile.
 * - A process that exits on its own is restarted by the engine: `list` shows it `crashed` (not
 *   `abandoned`) while it waits for its restart, and its `restartCount` grows. One killed from
 *   outside the platform is `crashed` and `abandoned`: the reconcile replaces it.
 * - `pruneImages` removes the app's images outside `keep` that no process uses, and answers how many.
 *
 * Optional capabilities (one-offs, draining, batch start) are separate interfaces checked with type
 * guards, so a backend implements only what it can.
 */
export interface ProcessSpec {
  app: string;
  release: number;
  /** Process type from the Procfile, e.g. `web`. */
  type: string;
  /** 1-based index within the type: `web.2` has index 2. */
  index: number;
  image: string;
  command: string;
  env: Record<string, string>;
  /** The port the process listens on inside its container (given as PORT); published for web. */
  port: number;
  publish: boolean;
  /** Memory limit in MB enforced by the engine; also what placement reserves. */
  memoryMb?: number;
  /** CPU limit in cores (0.5 = half a core). */
  cpus?: number;
  /** Docker volumes it mounts (issue 18): the only mounts an app's container has. */
  mounts?: VolumeMount[];
  /** The host it must run on (it mounts a local volume held there); placement never moves it. */
  host?: string;
}

/** A volume mounted into a process. */
export interface VolumeMount {
  /** The user's name of the volume (shown by ps). */
  name: string;
  /** The engine's volume name. */
  volume: string;
  /** Absolute path inside the container. */
  path: string;
  driver: string;
  options: Record<string, string>;
}

export type ProcessState = 'starting' | 'up' | 'crashed' | 'down';

export interface ProcessInfo {
  /** Engine id (container id). */
  id: string;
  app: string;
  release: number;
  type: string;
  /** `web.1` */
  name: string;
  /** The runtime host's name. */
  host: string;
  /** Where the router reaches the published port. */
  address: string;
  port: number | undefined;
  state: ProcessState;
  command: string;
  startedAt: Date;
  restartCount: number;
  /**
   * Not running, and the engine will not start it again: killed from outside (`docker kill`, or a
   * `docker stop` by hand), or the engine gave up. The reconcile replaces it; a process that crashed on its
   * own and waits for the engine's restart (its backoff) is not abandoned.
   */
  abandoned?: boolean;
  /** The memory limit it runs with, in MB, when it has one. */
  memoryMb?: number;
  /** Its CPU limit in cores, when it has one. */
  cpus?: number;
  /** Names of the volumes it mounts. */
  volumes?: string[];
}

/** What every runtime call takes: its deadline (see the contract above). */
export interface CallOptions {
  /** Aborts the call: it rejects with `engine_timeout`. `AbortSignal.timeout(ms)` is a deadline. */
  signal?: AbortSignal;
}

export interface RuntimeBackend {
  readonly hostName: string;
  /** Answers when the engine is reachable. */
  ping(opts?: CallOptions): Promise<void>;
  start(spec: ProcessSpec, opts?: CallOptions): Promise<ProcessInfo>;
  /** The platform's processes, optionally of one app. */
  list(filter?: { app?: string }, opts?: CallOptions): Promise<ProcessInfo[]>;
  /**
   * Stops (SIGTERM, then SIGKILL after `graceSeconds`) and removes a process. Unknown ids are ignored.
   * The deadline of the call should leave room for the grace.
   */
  stop(id: string, graceSeconds: number, opts?: CallOptions): Promise<void>;
  /** The last lines of a process's output; `process_not_found` for an id the runtime does not know. */
  logs(id: string, lines: number, opts?: CallOptions): Promise<string>;
  /** Removes an app's processes, images, network and volumes from the engine. */
  removeAppResources(app: string, opts?: CallOptions): Promise<void>;
  /**
   * Removes the app's images whose references are not in `keep` (old releases); an image a
   * container uses stays. Returns how many went.
   */
  pruneImages(app: string, keep: ReadonlySet<string>, opts?: CallOptions): Promise<number>;
}

export function processName(type: string, index: number): string {
  return `${type}.${index}`;
}

/** Optional capability: a runtime whose hosts can be drained (their processes move elsewhere). */
export interface DrainAware {
  isDraining(host: string): boolean;
}

export function isDrainAware(r: RuntimeBackend): r is RuntimeBackend & DrainAware {
  return typeof (r as Partial<DrainAware>).isDraining === 'function';
}

/** Optional capability: removing a volume and its data from a host (or every host: `host` undefined). */
export interface VolumeRemover {
  removeVolume(volume: string, host?: string): Promise<void>;
}

export function isVolumeRemover(r: RuntimeBackend): r is RuntimeBackend & VolumeRemover {
  return typeof (r as Partial<VolumeRemover>).removeVolume === 'function';
}

/** How much one process has written to its own filesystem (its container's writable layer). */
export interface ProcessDiskUsage {
  id: string;
  app: string;
  /** `web.1` */
  name: string;
  host: string;
  bytes: number;
}

/**
 * Optional capability: the bytes each running process has written to its own filesystem. An engine
 * with no storage quota (overlay2 on ext4: `--storage-opt size` is refused) lets a process fill the
 * host's disk; the reconcile measures this and replaces a process over its limit (deploy/disk-watch.ts).
 */
export interface DiskUsageAware {
  diskUsage(opts?: CallOptions): Promise<ProcessDiskUsage[]>;
}

export function isDiskUsageAware(r: RuntimeBackend): r is RuntimeBackend & DiskUsageAware {
  return typeof (r as Partial<DiskUsageAware>).diskUsage === 'function';
}

/**
 * Optional capability: moving an app's engine resources to a new name (`paas rename`). Labels and
 * names cannot change on a Docker object, so the app's images are copied under the new name
 * (relabelled, retagged by `renamedImageRef`: they share every layer with the old ones) and its build
 * cache volume copied; its processes are started again under the new name by the reconcile, and
 * `retireAppName` then takes what is left under the old one away: processes and one-offs, network,
 * old image tags and build cache. Data volumes are named by their id, not the app, and stay.
 */
export interface AppRenamer {
  copyAppResources(from: string, to: string, opts?: CallOptions): Promise<void>;
  retireAppName(from: string, opts?: CallOptions): Promise<void>;
}

export function isAppRenamer(r: RuntimeBackend): r is RuntimeBackend & AppRenamer {
  return typeof (r as Partial<AppRenamer>).copyAppResources === 'function' && typeof (r as Partial<AppRenamer>).retireAppName === 'function';
}

/** Optional capability: starting a batch at once (placed together, started in parallel). */
export interface BatchStarter {
  startMany(specs: ProcessSpec[]): Promise<ProcessInfo[]>;
}

/** Starts specs with the runtime's batch start when it has one, one after the other otherwise. */
export async function startAll(runtime: RuntimeBackend, specs: ProcessSpec[]): Promise<ProcessInfo[]> {
  if (specs.length === 0) return [];
  if (typeof (runtime as Partial<BatchStarter>).startMany === 'function') {
    return (runtime as RuntimeBackend & BatchStarter).startMany(specs);
  }
  const started: ProcessInfo[] = [];
  try {
    for (const spec of specs) started.push(await runtime.start(spec));
  } catch (err) {
    await Promise.all(started.map((p) => runtime.stop(p.id, 0).catch(() => undefined)));
    throw err;
  }
  return started;
}

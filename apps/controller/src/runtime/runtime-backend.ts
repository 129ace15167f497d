/**
 * The runtime seam: where an app's processes run. The first implementation runs them as containers on
 * one Docker engine; Docker Swarm or Kubernetes can come later behind the same interface.
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
}

export interface RuntimeBackend {
  readonly hostName: string;
  /** Answers when the engine is reachable. */
  ping(): Promise<void>;
  start(spec: ProcessSpec): Promise<ProcessInfo>;
  /** The platform's processes, optionally of one app. */
  list(filter?: { app?: string }): Promise<ProcessInfo[]>;
  /** Stops (SIGTERM, then SIGKILL after the grace period) and removes a process. Unknown ids are ignored. */
  stop(id: string, graceSeconds: number): Promise<void>;
  /** The last lines of a process's output. */
  logs(id: string, lines: number): Promise<string>;
  /** Removes an app's images and build cache from the engine. */
  removeAppResources(app: string): Promise<void>;
  /**
   * Removes the app's images whose references are not in `keep` (old releases); an image a
   * container uses stays. Returns how many went.
   */
  pruneImages(app: string, keep: ReadonlySet<string>): Promise<number>;
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

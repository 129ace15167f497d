import { randomUUID } from 'node:crypto';
import { renamedImageRef } from '@paas/shared';
import { processName, type AppRenamer, type CallOptions, type DiskUsageAware, type ProcessDiskUsage, type ProcessInfo, type ProcessSpec, type RuntimeBackend } from './runtime-backend.js';
import { callSignal, engineCall, processNotFound } from './engine-call.js';
import { oneOffType, type AttachedOneOff, type OneOffIo, type OneOffRunner, type OneOffSpec } from './one-off.js';

/**
 * An in-process runtime for API tests: processes are records that are "up" at once. A one-off echoes
 * its command and exits 0; a detached one stays listed (up) until it is stopped. Tests play the
 * engine's part with `exit` (a crash or a kill from outside), `addImage`, `write` (a process filling its
 * filesystem) and `stall` (an engine that stops answering).
 */
export class MemoryRuntimeBackend implements RuntimeBackend, OneOffRunner, DiskUsageAware, AppRenamer {
  readonly hostName = 'memory';
  private readonly processes = new Map<string, ProcessInfo & { output: string; image: string }>();
  private readonly oneOffs = new Map<string, ProcessInfo & { output: string }>();
  /** Every one-off started, in order. */
  readonly runs: (OneOffSpec & { attached: boolean })[] = [];
  private nextPort = 40000;
  readonly removedApps: string[] = [];
  /** Image references per app, as the engine would hold them (see addImage). */
  private readonly images = new Map<string, Set<string>>();
  private stalled = false;
  /** Bytes each process has written to its own filesystem (see `write`). */
  private readonly written = new Map<string, number>();

  /** `callTimeoutMs`: the deadline of a call that gives none (what a stalled engine is waited for). */
  constructor(private readonly o: { callTimeoutMs?: number } = {}) {}

  /** From now on every call waits until its signal aborts, as on an engine that stopped answering. */
  stall(): void {
    this.stalled = true;
  }

  /** Runs a call as the engine would answer it: at once, or (stalled) never, until its deadline. */
  private call<T>(what: string, opts: CallOptions | undefined, fn: () => T): Promise<T> {
    if (!this.stalled && !opts?.signal?.aborted) return Promise.resolve().then(fn);
    const signal = callSignal(opts, this.o.callTimeoutMs ?? 60_000);
    // A stalled engine holds a connection open: it keeps the process alive (the deadline's timer does not).
    const held = setInterval(() => undefined, 1000);
    return engineCall(signal, what, () => new Promise<T>(() => undefined)).finally(() => clearInterval(held));
  }

  /** An image of `app` the engine holds (what a build would have left). */
  addImage(app: string, ref: string): void {
    this.images.set(app, (this.images.get(app) ?? new Set()).add(ref));
  }

  holdsImage(ref: string): boolean {
    return [...this.images.values()].some((refs) => refs.has(ref));
  }

  /** A process writes `bytes` more to its own filesystem. */
  write(id: string, bytes: number): void {
    if (!this.processes.has(id)) throw new Error(`no process ${id}`);
    this.written.set(id, (this.written.get(id) ?? 0) + bytes);
  }

  diskUsage(opts?: CallOptions): Promise<ProcessDiskUsage[]> {
    return this.call('measuring disk use', opts, () =>
      [...this.processes.values()]
        .filter((p) => p.state === 'up' || p.state === 'starting')
        .map((p) => ({ id: p.id, app: p.app, name: p.name, host: p.host, bytes: this.written.get(p.id) ?? 0 })),
    );
  }

  ping(opts?: CallOptions): Promise<void> {
    return this.call('ping', opts, () => undefined);
  }

  start(spec: ProcessSpec, opts?: CallOptions): Promise<ProcessInfo> {
    return this.call(`starting ${spec.app}`, opts, () => this.startNow(spec));
  }

  private startNow(spec: ProcessSpec): ProcessInfo {
    const info = {
      id: randomUUID(),
      app: spec.app,
      release: spec.release,
      type: spec.type,
      name: processName(spec.type, spec.index),
      host: this.hostName,
      address: '127.0.0.1',
      port: spec.publish ? this.nextPort++ : undefined,
      state: 'up' as const,
      command: spec.command,
      startedAt: new Date(),
      restartCount: 0,
      memoryMb: spec.memoryMb,
      cpus: spec.cpus,
      ...(spec.mounts?.length ? { volumes: spec.mounts.map((m) => `${m.name}:${m.path}`) } : {}),
      output: `started ${spec.command}\n`,
      image: spec.image,
    };
    this.processes.set(info.id, info);
    const { output: _output, image: _image, ...rest } = info;
    return rest;
  }

  list(filter: { app?: string } = {}, opts?: CallOptions): Promise<ProcessInfo[]> {
    return this.call('listing', opts, () =>
      [...this.processes.values()].filter((p) => !filter.app || p.app === filter.app).map(({ output: _output, image: _image, ...rest }) => ({ ...rest })),
    );
  }

  /**
   * A process exits: with `restarting` it crashed on its own and the engine starts it again (after its
   * backoff); without, it was killed from outside and stays down (abandoned).
   */
  exit(id: string, opts: { restarting: boolean }): void {
    const p = this.processes.get(id);
    if (!p) return;
    this.processes.set(id, { ...p, state: 'crashed', abandoned: !opts.restarting, restartCount: p.restartCount + (opts.restarting ? 1 : 0) });
  }

  stop(id: string, _graceSeconds = 0, opts?: CallOptions): Promise<void> {
    return this.call('stopping', opts, () => {
      this.processes.delete(id);
      this.oneOffs.delete(id);
      this.written.delete(id);
    });
  }

  private oneOff(spec: OneOffSpec, attached: boolean): ProcessInfo & { output: string } {
    this.runs.push({ ...spec, attached });
    return {
      id: randomUUID(),
      app: spec.app,
      release: spec.release,
      type: oneOffType,
      name: `${oneOffType}.${spec.index}`,
      host: this.hostName,
      address: '127.0.0.1',
      port: undefined,
      state: 'up',
      command: spec.command,
      startedAt: new Date(),
      restartCount: 0,
      memoryMb: spec.memoryMb,
      cpus: spec.cpus,
      output: `${spec.command}\n`,
    };
  }

  async runAttached(spec: OneOffSpec, io: OneOffIo): Promise<AttachedOneOff> {
    const { output, ...info } = this.oneOff(spec, true);
    // `exit N` exits with status N (tests of what follows a failing one-off); the rest exit with 0.
    const code = Number(/^exit (\d{1,3})$/.exec(spec.command.trim())?.[1] ?? 0);
    const exit = new Promise<number>((resolve) => io.stdout.write(output, () => resolve(code)));
    return { info, exit, resize: async () => {} };
  }

  async runDetached(spec: OneOffSpec): Promise<ProcessInfo> {
    const p = this.oneOff(spec, false);
    this.oneOffs.set(p.id, p);
    const { output: _output, ...info } = p;
    return info;
  }

  async listOneOffs(filter: { app?: string } = {}): Promise<ProcessInfo[]> {
    return [...this.oneOffs.values()]
      .filter((p) => !filter.app || p.app === filter.app)
      .map(({ output: _output, ...rest }) => ({ ...rest }));
  }

  logs(id: string, lines: number, opts?: CallOptions): Promise<string> {
    return this.call('reading output', opts, () => {
      const p = this.processes.get(id) ?? this.oneOffs.get(id);
      if (!p) throw processNotFound(id);
      return p.output.split('\n').slice(-lines - 1).join('\n');
    });
  }

  /** Removes the app's images (see addImage) outside `keep` that no process runs. */
  pruneImages(app: string, keep: ReadonlySet<string>, opts?: CallOptions): Promise<number> {
    return this.call('pruning images', opts, () => {
      const inUse = new Set([...this.processes.values()].map((p) => p.image));
      const held = this.images.get(app) ?? new Set<string>();
      let removed = 0;
      for (const ref of held) {
        if (keep.has(ref) || inUse.has(ref)) continue;
        held.delete(ref);
        removed++;
      }
      return removed;
    });
  }

  removeAppResources(app: string, opts?: CallOptions): Promise<void> {
    return this.call('removing app resources', opts, () => {
      for (const [id, p] of this.processes) if (p.app === app) this.processes.delete(id);
      for (const [id, p] of this.oneOffs) if (p.app === app) this.oneOffs.delete(id);
      this.images.delete(app);
      this.removedApps.push(app);
    });
  }

  copyAppResources(from: string, to: string, opts?: CallOptions): Promise<void> {
    return this.call('copying app resources', opts, () => {
      for (const ref of this.images.get(from) ?? []) this.addImage(to, renamedImageRef(ref, from, to));
    });
  }

  retireAppName(from: string, opts?: CallOptions): Promise<void> {
    return this.call('retiring an app name', opts, () => {
      for (const [id, p] of this.processes) if (p.app === from) this.processes.delete(id);
      for (const [id, p] of this.oneOffs) if (p.app === from) this.oneOffs.delete(id);
      this.images.delete(from);
    });
  }
}

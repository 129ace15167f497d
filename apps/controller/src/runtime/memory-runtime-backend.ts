import { randomUUID } from 'node:crypto';
import { processName, type ProcessInfo, type ProcessSpec, type RuntimeBackend } from './runtime-backend.js';
import { oneOffType, type AttachedOneOff, type OneOffIo, type OneOffRunner, type OneOffSpec } from './one-off.js';

/**
 * An in-process runtime for API tests: processes are records that are "up" at once. A one-off echoes
 * its command and exits 0; a detached one stays listed (up) until it is stopped.
 */
export class MemoryRuntimeBackend implements RuntimeBackend, OneOffRunner {
  readonly hostName = 'memory';
  private readonly processes = new Map<string, ProcessInfo & { output: string }>();
  private readonly oneOffs = new Map<string, ProcessInfo & { output: string }>();
  /** Every one-off started, in order. */
  readonly runs: (OneOffSpec & { attached: boolean })[] = [];
  private nextPort = 40000;
  readonly removedApps: string[] = [];

  async ping(): Promise<void> {}

  async start(spec: ProcessSpec): Promise<ProcessInfo> {
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
      output: `started ${spec.command}\n`,
    };
    this.processes.set(info.id, info);
    const { output: _output, ...rest } = info;
    return rest;
  }

  async list(filter: { app?: string } = {}): Promise<ProcessInfo[]> {
    return [...this.processes.values()]
      .filter((p) => !filter.app || p.app === filter.app)
      .map(({ output: _output, ...rest }) => ({ ...rest }));
  }

  /**
   * A process exits: with `restarting` it crashed on its own and the engine starts it again (after its
   * backoff); without, it was killed from outside and stays down (abandoned).
   */
  exit(id: string, opts: { restarting: boolean }): void {
    const p = this.processes.get(id);
    if (!p) return;
    this.processes.set(id, { ...p, state: 'crashed', abandoned: !opts.restarting });
  }

  async stop(id: string): Promise<void> {
    this.processes.delete(id);
    this.oneOffs.delete(id);
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
    const exit = new Promise<number>((resolve) => io.stdout.write(output, () => resolve(0)));
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

  async logs(id: string, lines: number): Promise<string> {
    const out = (this.processes.get(id) ?? this.oneOffs.get(id))?.output ?? '';
    return out.split('\n').slice(-lines - 1).join('\n');
  }

  /** The in-memory runtime holds no images. */
  async pruneImages(): Promise<number> {
    return 0;
  }

  async removeAppResources(app: string): Promise<void> {
    for (const [id, p] of this.processes) if (p.app === app) this.processes.delete(id);
    for (const [id, p] of this.oneOffs) if (p.app === app) this.oneOffs.delete(id);
    this.removedApps.push(app);
  }
}

import { randomUUID } from 'node:crypto';
import { processName, type ProcessInfo, type ProcessSpec, type RuntimeBackend } from './runtime-backend.js';

/** An in-process runtime for API tests: processes are records that are "up" at once. */
export class MemoryRuntimeBackend implements RuntimeBackend {
  readonly hostName = 'memory';
  private readonly processes = new Map<string, ProcessInfo & { output: string }>();
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

  async stop(id: string): Promise<void> {
    this.processes.delete(id);
  }

  async logs(id: string, lines: number): Promise<string> {
    const out = this.processes.get(id)?.output ?? '';
    return out.split('\n').slice(-lines - 1).join('\n');
  }

  async removeAppResources(app: string): Promise<void> {
    for (const [id, p] of this.processes) if (p.app === app) this.processes.delete(id);
    this.removedApps.push(app);
  }
}

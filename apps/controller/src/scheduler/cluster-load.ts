import type { ProcessInfo } from '../runtime/runtime-backend.js';
import { PlacementIndex } from './placement-index.js';

/** A running one-off as placement counts it. */
interface OneOffLoad {
  id: string;
  app: string;
  memoryMb: number;
}

/** A host as placement sees it. */
export interface LoadedHost {
  name: string;
  draining: boolean;
  capacityMemoryMb: number | null;
  images: ReadonlySet<string>;
}

const runs = (p: ProcessInfo): boolean => p.state === 'up' || p.state === 'starting';

/**
 * The cluster's placement state: which host each process id is on, the formation processes of each
 * host's last listing (kept current by starts and stops) and the one-offs running there (they reserve
 * memory like any process, though they are not part of a formation). `index` turns it into the
 * `PlacementIndex` a batch of starts is placed with.
 */
export class ClusterLoad {
  /** Process id → host name, learnt from listings and starts. */
  private readonly owner = new Map<string, string>();
  private readonly running = new Map<string, ProcessInfo[]>();
  private readonly oneOffsRunning = new Map<string, OneOffLoad[]>();

  /** `defaultMemoryMb`: what a process without a memory limit reserves. */
  constructor(private readonly defaultMemoryMb: number) {}

  hostOf(id: string): string | undefined {
    return this.owner.get(id);
  }

  /** Placement's view of `hosts` (those that are up). */
  index(hosts: readonly LoadedHost[]): PlacementIndex {
    const index = new PlacementIndex();
    for (const h of hosts) {
      index.setHost({ name: h.name, schedulable: !h.draining, capacityMemoryMb: h.capacityMemoryMb });
      for (const p of this.running.get(h.name) ?? []) index.addProcess(h.name, p.app, p.memoryMb ?? this.defaultMemoryMb);
      for (const r of this.oneOffsRunning.get(h.name) ?? []) index.addLoad(h.name, r.memoryMb);
      for (const image of h.images) index.addImage(h.name, image);
    }
    return index;
  }

  /** A whole listing of a host's formation processes. */
  listed(host: string, procs: ProcessInfo[]): void {
    this.running.set(host, procs);
    for (const p of procs) this.owner.set(p.id, host);
  }

  started(host: string, info: ProcessInfo, memoryMb: number | undefined): void {
    this.owner.set(info.id, host);
    this.running.set(host, [...(this.running.get(host) ?? []), { ...info, memoryMb }]);
  }

  stopped(host: string, id: string): void {
    this.owner.delete(id);
    this.running.set(host, (this.running.get(host) ?? []).filter((p) => p.id !== id));
    this.forgetOneOff(host, id);
  }

  /** Records the one-offs a listing of a host shows (all of them, or those of `app`) as its one-off load. */
  listedOneOffs(host: string, listed: ProcessInfo[], app?: string): void {
    for (const p of listed) this.owner.set(p.id, host);
    const kept = app === undefined ? [] : (this.oneOffsRunning.get(host) ?? []).filter((r) => r.app !== app);
    const running = listed.filter(runs).map((p) => ({ id: p.id, app: p.app, memoryMb: p.memoryMb ?? this.defaultMemoryMb }));
    this.oneOffsRunning.set(host, [...kept, ...running]);
  }

  /** A one-off started on `host` that runs (counted until it ends). */
  oneOffStarted(host: string, info: ProcessInfo, memoryMb: number | undefined): void {
    this.owner.set(info.id, host);
    if (!runs(info)) return;
    const load = { id: info.id, app: info.app, memoryMb: memoryMb ?? this.defaultMemoryMb };
    this.oneOffsRunning.set(host, [...(this.oneOffsRunning.get(host) ?? []).filter((r) => r.id !== info.id), load]);
  }

  oneOffEnded(host: string, id: string): void {
    this.owner.delete(id);
    this.forgetOneOff(host, id);
  }

  private forgetOneOff(host: string, id: string): void {
    const list = this.oneOffsRunning.get(host);
    if (list?.some((r) => r.id === id)) this.oneOffsRunning.set(host, list.filter((r) => r.id !== id));
  }
}

/**
 * The placement rules of `place` (placement.ts) over an index kept across batches, for clusters of
 * thousands of hosts: `place` there builds a heap of every host per batch (O(hosts)); here a batch
 * costs O(hosts it has a reason to prefer + k log hosts) for k processes.
 *
 * For one batch, a host belongs to one of two classes. The few *preferred* hosts run processes of
 * the app or have its image (found through the per-app and per-image sets); all the others are
 * equal in the first two rules (no process of the app, no image), so among them only load counts,
 * and the persistent load heap already orders them. A batch merges the two: a small heap of the
 * preferred hosts and a cursor walking the load heap from the least loaded up. The answers are the
 * same as `place` on the same hosts (placement-index.test.ts checks it on random clusters).
 *
 * `place` decides and changes nothing; `apply` records a decision (or the caller records what
 * really started with `addProcess`). A host that is full for a batch's memory size is skipped by the
 * cursor, so a cluster with many hosts too full for it makes that batch walk past them.
 */
import { LoadHeap, type LoadSlot } from './load-heap.js';
import { before, CandidateHeap, shortfall, type Candidate, type HostView, type PlacementRequest } from './placement.js';

interface Slot extends LoadSlot {
  schedulable: boolean;
  /** Infinity when unlimited. */
  capacity: number;
  apps: Map<string, number>;
  images: Set<string>;
  /** The batch that last counted it as preferred. */
  mark: number;
}

export interface IndexedHost {
  name: string;
  /** False for a host that is down or drained: it keeps its processes but takes no new ones. */
  schedulable: boolean;
  /** Memory the host may reserve for processes, in MB; null means unlimited. */
  capacityMemoryMb: number | null;
}

export class PlacementIndex {
  private readonly slots = new Map<string, Slot>();
  private readonly byApp = new Map<string, Set<Slot>>();
  private readonly byImage = new Map<string, Set<Slot>>();
  /** Schedulable hosts only. */
  private readonly load = new LoadHeap<Slot>();
  private batch = 0;

  get size(): number {
    return this.slots.size;
  }

  /** Adds a host or changes its settings; what it runs and holds stays. */
  setHost(h: IndexedHost): void {
    let s = this.slots.get(h.name);
    if (!s) {
      s = { name: h.name, reserved: 0, processes: 0, pos: -1, schedulable: h.schedulable, capacity: Infinity, apps: new Map(), images: new Set(), mark: 0 };
      this.slots.set(h.name, s);
    }
    s.schedulable = h.schedulable;
    s.capacity = h.capacityMemoryMb ?? Infinity;
    if (s.schedulable) this.load.insert(s);
    else this.load.remove(s);
  }

  removeHost(name: string): void {
    const s = this.slots.get(name);
    if (!s) return;
    this.clearHost(name);
    this.load.remove(s);
    this.slots.delete(name);
  }

  /** Forgets a host's processes and images (a lost host, or before recording a fresh listing). */
  clearHost(name: string): void {
    const s = this.slot(name);
    for (const app of s.apps.keys()) this.unlink(this.byApp, app, s);
    for (const image of s.images) this.unlink(this.byImage, image, s);
    s.apps.clear();
    s.images.clear();
    s.reserved = 0;
    s.processes = 0;
    this.load.update(s);
  }

  addProcess(host: string, app: string, memoryMb: number): void {
    const s = this.slot(host);
    const n = s.apps.get(app) ?? 0;
    s.apps.set(app, n + 1);
    if (n === 0) this.link(this.byApp, app, s);
    s.reserved += memoryMb;
    s.processes += 1;
    this.load.update(s);
  }

  removeProcess(host: string, app: string, memoryMb: number): void {
    const s = this.slots.get(host);
    const n = s?.apps.get(app) ?? 0;
    if (!s || n === 0) return;
    if (n === 1) {
      s.apps.delete(app);
      this.unlink(this.byApp, app, s);
    } else s.apps.set(app, n - 1);
    s.reserved -= memoryMb;
    s.processes -= 1;
    this.load.update(s);
  }

  /** Load that counts for no app's spread (a one-off process): its memory and one process. */
  addLoad(host: string, memoryMb: number): void {
    const s = this.slot(host);
    s.reserved += memoryMb;
    s.processes += 1;
    this.load.update(s);
  }

  addImage(host: string, image: string): void {
    const s = this.slot(host);
    if (s.images.has(image)) return;
    s.images.add(image);
    this.link(this.byImage, image, s);
  }

  /** The host as `place` sees it. */
  view(name: string): HostView | undefined {
    const s = this.slots.get(name);
    if (!s) return undefined;
    return {
      name: s.name,
      schedulable: s.schedulable,
      capacityMemoryMb: s.capacity === Infinity ? null : s.capacity,
      reservedMemoryMb: s.reserved,
      processes: s.processes,
      appProcesses: new Map(s.apps),
      hasImage: (image) => s.images.has(image),
    };
  }

  /** Picks a host for each of `req.count` processes, by the rules of `place`; changes nothing. Throws PlacementError. */
  place(req: PlacementRequest): string[] {
    const mark = ++this.batch;
    const preferred: Candidate[] = [];
    const consider = (s: Slot): void => {
      if (s.mark === mark) return;
      s.mark = mark;
      const free = s.capacity - s.reserved;
      if (!s.schedulable || free < req.memoryMb) return;
      const appCount = s.apps.get(req.app) ?? 0;
      preferred.push({ name: s.name, appCount, image: s.images.has(req.image) ? 0 : 1, reserved: s.reserved, processes: s.processes, free });
    };
    for (const s of this.byApp.get(req.app) ?? []) consider(s);
    for (const s of this.byImage.get(req.image) ?? []) consider(s);
    const heap = new CandidateHeap(preferred);

    // The other hosts, least loaded first, skipping the preferred ones and those too full.
    const cursor = this.load.ascending();
    const nextOther = (): Candidate | undefined => {
      for (let s = cursor.next(); s; s = cursor.next()) {
        const free = s.capacity - s.reserved;
        if (s.mark !== mark && free >= req.memoryMb) {
          return { name: s.name, appCount: 0, image: 1, reserved: s.reserved, processes: s.processes, free };
        }
      }
      return undefined;
    };
    let other = nextOther();

    const placed: string[] = [];
    while (placed.length < req.count) {
      let c: Candidate | undefined;
      const top = heap.peek();
      if (other && (!top || before(other, top))) {
        c = other;
        other = nextOther();
      } else c = heap.pop();
      if (!c) throw shortfall(req, placed, this.load.size > 0);
      placed.push(c.name);
      c.appCount += 1;
      c.reserved += req.memoryMb;
      c.processes += 1;
      c.free -= req.memoryMb;
      c.image = 0;
      if (c.free >= req.memoryMb) heap.push(c);
    }
    return placed;
  }

  /** Records a decision of `place`: the processes and the image are on their hosts. */
  apply(req: PlacementRequest, placed: readonly string[]): void {
    for (const host of placed) {
      this.addProcess(host, req.app, req.memoryMb);
      this.addImage(host, req.image);
    }
  }

  private slot(name: string): Slot {
    const s = this.slots.get(name);
    if (!s) throw new Error(`placement index: no host ${name}`);
    return s;
  }

  private link(index: Map<string, Set<Slot>>, key: string, s: Slot): void {
    let set = index.get(key);
    if (!set) index.set(key, (set = new Set()));
    set.add(s);
  }

  private unlink(index: Map<string, Set<Slot>>, key: string, s: Slot): void {
    const set = index.get(key);
    if (!set) return;
    set.delete(s);
    if (set.size === 0) index.delete(key);
  }
}

/**
 * Where to run processes: a pure function over a snapshot of the hosts. Rules, in order:
 * never a host that is down or drained; never beyond a host's memory capacity; spread one app's
 * processes (fewest of this app first); prefer hosts that already have the image; then the least
 * loaded host (reserved memory, then process count); ties by name, so the result is deterministic.
 *
 * A batch of processes is placed with a binary heap keyed by those rules, so a placement costs
 * O(log hosts) after an O(hosts) set-up per batch. `PlacementIndex` (placement-index.ts), which the
 * cluster runtime uses, gives the same answers and keeps its structure across batches; this function
 * is the reference its tests compare it with.
 */
export interface HostView {
  name: string;
  schedulable: boolean;
  /** Memory the host may reserve for processes, in MB; null means unlimited. */
  capacityMemoryMb: number | null;
  reservedMemoryMb: number;
  processes: number;
  /** Processes of each app on the host. */
  appProcesses: ReadonlyMap<string, number>;
  hasImage: (image: string) => boolean;
}

export interface PlacementRequest {
  app: string;
  image: string;
  memoryMb: number;
  count: number;
}

export class PlacementError extends Error {
  constructor(
    message: string,
    readonly placed: string[],
  ) {
    super(message);
    this.name = 'PlacementError';
  }
}

export interface Candidate {
  name: string;
  appCount: number;
  image: number; // 0 when the image is present, 1 when it is not
  reserved: number;
  processes: number;
  free: number; // Infinity when unlimited
}

/** The placement order: true when `a` goes before `b`. */
export function before(a: Candidate, b: Candidate): boolean {
  if (a.appCount !== b.appCount) return a.appCount < b.appCount;
  if (a.image !== b.image) return a.image < b.image;
  if (a.reserved !== b.reserved) return a.reserved < b.reserved;
  if (a.processes !== b.processes) return a.processes < b.processes;
  return a.name < b.name;
}

export class CandidateHeap {
  private readonly items: Candidate[];

  /** Floyd's bottom-up heap construction: O(n). */
  constructor(items: Candidate[]) {
    this.items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }
  get size(): number {
    return this.items.length;
  }
  peek(): Candidate | undefined {
    return this.items[0];
  }
  push(c: Candidate): void {
    const a = this.items;
    a.push(c);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }
  pop(): Candidate | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      this.siftDown(0);
    }
    return top;
  }
  private siftDown(start: number): void {
    const a = this.items;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && before(a[l]!, a[m]!)) m = l;
      if (r < a.length && before(a[r]!, a[m]!)) m = r;
      if (m === i) return;
      const t = a[i]!;
      a[i] = a[m]!;
      a[m] = t;
      i = m;
    }
  }
}

/** The error when capacity runs out, with what could be placed. */
export function shortfall(req: PlacementRequest, placed: string[], anySchedulable: boolean): PlacementError {
  const why = anySchedulable
    ? `not enough free memory on any host for a ${req.memoryMb} MB process`
    : 'no host can take processes (all are down or drained)';
  return new PlacementError(`placed ${placed.length} of ${req.count} ${req.app} processes: ${why}`, placed);
}

/**
 * Picks a host for each of `req.count` processes. Updates nothing: the caller applies the result. Throws PlacementError (with what could be placed) when capacity runs out.
 */
export function place(req: PlacementRequest, hosts: readonly HostView[]): string[] {
  const candidates: Candidate[] = [];
  for (const h of hosts) {
    if (!h.schedulable) continue;
    const free = h.capacityMemoryMb === null ? Infinity : h.capacityMemoryMb - h.reservedMemoryMb;
    if (free < req.memoryMb) continue;
    candidates.push({
      name: h.name,
      appCount: h.appProcesses.get(req.app) ?? 0,
      image: h.hasImage(req.image) ? 0 : 1,
      reserved: h.reservedMemoryMb,
      processes: h.processes,
      free,
    });
  }
  const heap = new CandidateHeap(candidates);
  const placed: string[] = [];
  while (placed.length < req.count) {
    const c = heap.pop();
    if (!c) throw shortfall(req, placed, hosts.some((h) => h.schedulable));
    placed.push(c.name);
    c.appCount += 1;
    c.reserved += req.memoryMb;
    c.processes += 1;
    c.free -= req.memoryMb;
    c.image = 0; // the image arrives with the first process
    if (c.free >= req.memoryMb) heap.push(c);
  }
  return placed;
}

/**
 * Hosts ordered by load (reserved memory, then process count, then name), kept across placements:
 * an indexed binary heap, so a host whose load changed moves in O(log hosts), and a cursor that
 * walks the hosts from the least loaded up without changing the heap (O(log k) for each of the
 * first k hosts, however many there are).
 */
export interface LoadSlot {
  readonly name: string;
  reserved: number;
  processes: number;
  /** Its index in the heap; -1 when it is not in it. */
  pos: number;
}

/** True when `a` is less loaded than `b` (ties by name, so the order is total). */
export function lighter(a: LoadSlot, b: LoadSlot): boolean {
  if (a.reserved !== b.reserved) return a.reserved < b.reserved;
  if (a.processes !== b.processes) return a.processes < b.processes;
  return a.name < b.name;
}

export class LoadHeap<T extends LoadSlot> {
  private readonly a: T[] = [];

  get size(): number {
    return this.a.length;
  }

  has(s: T): boolean {
    return s.pos >= 0 && this.a[s.pos] === s;
  }

  insert(s: T): void {
    if (this.has(s)) return this.update(s);
    s.pos = this.a.length;
    this.a.push(s);
    this.up(s.pos);
  }

  remove(s: T): void {
    if (!this.has(s)) return;
    const i = s.pos;
    const last = this.a.pop()!;
    s.pos = -1;
    if (last === s) return;
    this.a[i] = last;
    last.pos = i;
    this.update(last);
  }

  /** Re-sorts a slot after its load changed. */
  update(s: T): void {
    if (!this.has(s)) return;
    this.down(this.up(s.pos));
  }

  /** The slots from the least loaded up, until the caller stops asking. The heap must not change meanwhile. */
  ascending(): LoadCursor<T> {
    return new LoadCursor(this.a);
  }

  private up(start: number): number {
    const a = this.a;
    let i = start;
    const s = a[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent]!;
      if (!lighter(s, p)) break;
      a[i] = p;
      p.pos = i;
      i = parent;
    }
    a[i] = s;
    s.pos = i;
    return i;
  }

  private down(start: number): void {
    const a = this.a;
    const n = a.length;
    let i = start;
    const s = a[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && lighter(a[r]!, a[l]!) ? r : l;
      if (!lighter(a[m]!, s)) break;
      a[i] = a[m]!;
      a[i]!.pos = i;
      i = m;
    }
    a[i] = s;
    s.pos = i;
  }
}

/**
 * Walks a heap in ascending order: a second, small heap holds the frontier (the children of the
 * slots handed out so far), and its least is the next slot.
 */
export class LoadCursor<T extends LoadSlot> {
  private readonly frontier: number[];

  constructor(private readonly a: readonly T[]) {
    this.frontier = a.length > 0 ? [0] : [];
  }

  next(): T | undefined {
    const f = this.frontier;
    if (f.length === 0) return undefined;
    const top = f[0]!;
    const last = f.pop()!;
    if (f.length > 0) {
      f[0] = last;
      this.siftDown(0);
    }
    const l = 2 * top + 1;
    if (l < this.a.length) this.push(l);
    if (l + 1 < this.a.length) this.push(l + 1);
    return this.a[top];
  }

  private less(i: number, j: number): boolean {
    return lighter(this.a[this.frontier[i]!]!, this.a[this.frontier[j]!]!);
  }

  private push(index: number): void {
    const f = this.frontier;
    f.push(index);
    let i = f.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      [f[i], f[parent]] = [f[parent]!, f[i]!];
      i = parent;
    }
  }

  private siftDown(start: number): void {
    const f = this.frontier;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < f.length && this.less(l, m)) m = l;
      if (r < f.length && this.less(r, m)) m = r;
      if (m === i) return;
      [f[i], f[m]] = [f[m]!, f[i]!];
      i = m;
    }
  }
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadHeap, lighter, type LoadSlot } from './load-heap.js';

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

const slot = (name: string, reserved = 0, processes = 0): LoadSlot => ({ name, reserved, processes, pos: -1 });
const order = (slots: LoadSlot[]): string[] => [...slots].sort((a, b) => (lighter(a, b) ? -1 : lighter(b, a) ? 1 : 0)).map((s) => s.name);
const walk = (heap: LoadHeap<LoadSlot>, limit = Infinity): string[] => {
  const out: string[] = [];
  const cursor = heap.ascending();
  for (let s = cursor.next(); s && out.length < limit; s = cursor.next()) out.push(s.name);
  return out;
};

test('orders by reserved memory, then processes, then name', () => {
  const heap = new LoadHeap<LoadSlot>();
  for (const s of [slot('c', 512), slot('b', 512, 1), slot('a', 512, 1), slot('d', 0, 9)]) heap.insert(s);
  assert.deepEqual(walk(heap), ['d', 'c', 'a', 'b']);
  assert.deepEqual(walk(new LoadHeap()), []);
});

test('the cursor walks the hosts in order, stopping anywhere, without changing the heap', () => {
  const rnd = random(7);
  const slots = Array.from({ length: 300 }, (_, i) => slot(`h${i}`, Math.floor(rnd() * 8) * 128, Math.floor(rnd() * 4)));
  const heap = new LoadHeap<LoadSlot>();
  for (const s of slots) heap.insert(s);
  assert.deepEqual(walk(heap, 10), order(slots).slice(0, 10));
  assert.deepEqual(walk(heap), order(slots));
  assert.equal(heap.size, 300);
});

test('stays ordered through random updates and removals', () => {
  const rnd = random(42);
  const slots = Array.from({ length: 200 }, (_, i) => slot(`h${String(i).padStart(3, '0')}`));
  const heap = new LoadHeap<LoadSlot>();
  for (const s of slots) heap.insert(s);
  const inHeap = new Set(slots);
  for (let step = 0; step < 2000; step++) {
    const s = slots[Math.floor(rnd() * slots.length)]!;
    const r = rnd();
    if (r < 0.1) {
      heap.remove(s);
      inHeap.delete(s);
    } else if (r < 0.2) {
      heap.insert(s);
      inHeap.add(s);
    } else {
      s.reserved = Math.max(0, s.reserved + (rnd() < 0.6 ? 128 : -128));
      s.processes += 1;
      heap.update(s);
    }
    if (step % 250 === 0) assert.deepEqual(walk(heap), order([...inHeap]), `step ${step}`);
  }
  assert.deepEqual(walk(heap), order([...inHeap]));
  assert.equal(heap.size, inHeap.size);
  for (const s of slots) assert.equal(heap.has(s), inHeap.has(s));
});

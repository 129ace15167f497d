import { test } from 'node:test';
import assert from 'node:assert/strict';
import { place, PlacementError, type HostView, type PlacementRequest } from './placement.js';
import { PlacementIndex } from './placement-index.js';

function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

/** `place` and the index, given the same cluster, must give the same answer (or the same error). */
function outcome(f: () => string[]): string[] | string {
  try {
    return f();
  } catch (err) {
    assert.ok(err instanceof PlacementError);
    return `${err.message} [${err.placed.join(',')}]`;
  }
}

function views(index: PlacementIndex, names: string[]): HostView[] {
  return names.map((n) => index.view(n)!);
}

test('places like place() on random clusters, batch after batch', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const rnd = random(seed);
    const index = new PlacementIndex();
    const names = Array.from({ length: 5 + Math.floor(rnd() * 40) }, (_, i) => `host-${String(i).padStart(2, '0')}`);
    for (const name of names) {
      index.setHost({ name, schedulable: rnd() > 0.15, capacityMemoryMb: rnd() < 0.3 ? null : 1024 * (1 + Math.floor(rnd() * 16)) });
    }
    for (let batch = 0; batch < 150; batch++) {
      const app = `app-${Math.floor(rnd() * 12)}`;
      const req: PlacementRequest = { app, image: `${app}:${Math.floor(rnd() * 3)}`, memoryMb: [128, 256, 512][Math.floor(rnd() * 3)]!, count: 1 + Math.floor(rnd() * 12) };
      const expected = outcome(() => place(req, views(index, names)));
      assert.deepEqual(outcome(() => index.place(req)), expected, `seed ${seed}, batch ${batch}`);
      if (Array.isArray(expected)) index.apply(req, expected);
      // Some churn: processes stop, hosts drain or come back, a host is lost.
      const host = names[Math.floor(rnd() * names.length)]!;
      const r = rnd();
      if (r < 0.2) {
        const v = index.view(host)!;
        const [stopApp] = [...v.appProcesses.keys()];
        if (stopApp) index.removeProcess(host, stopApp, Math.min(128, v.reservedMemoryMb));
      } else if (r < 0.25) index.setHost({ name: host, schedulable: !index.view(host)!.schedulable, capacityMemoryMb: index.view(host)!.capacityMemoryMb });
      else if (r < 0.27) index.clearHost(host);
    }
  }
});

test('apply and the host changes are what place() sees next', () => {
  const index = new PlacementIndex();
  for (const name of ['a', 'b', 'c']) index.setHost({ name, schedulable: true, capacityMemoryMb: 1024 });
  const req = { app: 'shop', image: 'shop:1', memoryMb: 512, count: 2 };
  assert.deepEqual(index.place(req), ['a', 'b'], 'spread, ties by name');
  assert.deepEqual(index.place(req), ['a', 'b'], 'place alone changes nothing');
  index.apply(req, ['a', 'b']);
  assert.deepEqual(index.place({ ...req, count: 1 }), ['c'], 'the host without the app');
  assert.deepEqual(index.view('a')?.reservedMemoryMb, 512);
  assert.ok(index.view('a')?.hasImage('shop:1'));

  index.addProcess('c', 'other', 768);
  assert.deepEqual(index.place({ ...req, count: 2 }), ['a', 'b'], 'c is too full for 512 MB; a and b have the image');
  index.setHost({ name: 'a', schedulable: false, capacityMemoryMb: 1024 });
  assert.deepEqual(index.place({ ...req, count: 1 }), ['b'], 'drained: nothing new');
  index.removeProcess('c', 'other', 768);
  assert.deepEqual(index.place({ ...req, count: 1 }), ['c']);
  index.removeHost('c');
  assert.equal(index.view('c'), undefined);
  assert.throws(() => index.place({ ...req, count: 2 }), /placed 1 of 2 shop processes: not enough free memory on any host for a 512 MB process/);
  index.setHost({ name: 'b', schedulable: false, capacityMemoryMb: 1024 });
  assert.throws(() => index.place(req), /all are down or drained/);
  assert.throws(() => index.addProcess('nope', 'shop', 1), /no host nope/);
});

test('load of no app (one-offs) counts for memory and load, not for any app\'s spread', () => {
  const index = new PlacementIndex();
  for (const name of ['a', 'b']) index.setHost({ name, schedulable: true, capacityMemoryMb: 1024 });
  index.addLoad('a', 768);
  assert.deepEqual(index.place({ app: 'shop', image: 'shop:1', memoryMb: 256, count: 2 }), ['b', 'a'], 'b is less loaded; a still has room for 256 MB');
  assert.throws(() => index.place({ app: 'shop', image: 'shop:1', memoryMb: 512, count: 3 }), /placed 2 of 3/, 'a has 256 MB free');
  assert.equal(index.view('a')?.appProcesses.size, 0);
  assert.equal(index.view('a')?.processes, 1);
});

test('a lost host forgets its processes and images', () => {
  const index = new PlacementIndex();
  for (const name of ['a', 'b']) index.setHost({ name, schedulable: true, capacityMemoryMb: null });
  index.apply({ app: 'shop', image: 'shop:1', memoryMb: 256, count: 1 }, ['a']);
  index.clearHost('a');
  const v = index.view('a')!;
  assert.deepEqual([v.reservedMemoryMb, v.processes, v.appProcesses.size, v.hasImage('shop:1')], [0, 0, 0, false]);
  assert.deepEqual(index.place({ app: 'shop', image: 'shop:1', memoryMb: 256, count: 1 }), ['a']);
});

test('spreads and balances across many hosts', () => {
  const index = new PlacementIndex();
  for (let i = 0; i < 20_000; i++) index.setHost({ name: `h${String(i).padStart(5, '0')}`, schedulable: true, capacityMemoryMb: 4096 });
  for (let app = 0; app < 300; app++) {
    const req = { app: `app-${app}`, image: `app-${app}:1`, memoryMb: 128, count: 100 };
    const placed = index.place(req);
    assert.equal(new Set(placed).size, 100, 'spread over 100 hosts');
    index.apply(req, placed);
  }
  const counts = new Set(Array.from({ length: 20_000 }, (_, i) => index.view(`h${String(i).padStart(5, '0')}`)!.processes));
  assert.deepEqual([...counts].sort(), [1, 2], 'balanced: 30,000 processes over 20,000 hosts');
});

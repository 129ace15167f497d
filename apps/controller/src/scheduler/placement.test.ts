import { test } from 'node:test';
import assert from 'node:assert/strict';
import { place, PlacementError, type HostView } from './placement.js';

function host(name: string, over: Partial<HostView> & { images?: string[]; apps?: Record<string, number> } = {}): HostView {
  const { images = [], apps = {}, ...rest } = over;
  return {
    name,
    schedulable: true,
    capacityMemoryMb: null,
    reservedMemoryMb: 0,
    processes: 0,
    appProcesses: new Map(Object.entries(apps)),
    hasImage: (i) => images.includes(i),
    ...rest,
  };
}

const req = (count: number, memoryMb = 512) => ({ app: 'shop', image: 'img:1', memoryMb, count });

test('spreads one app across hosts before doubling up', () => {
  assert.deepEqual(place(req(3), [host('a'), host('b'), host('c')]).sort(), ['a', 'b', 'c']);
  assert.deepEqual(
    place(req(4), [host('a'), host('b')]).sort(),
    ['a', 'a', 'b', 'b'],
  );
  // An app already on a, b: the next goes to c.
  assert.deepEqual(place(req(1), [host('a', { apps: { shop: 1 } }), host('b', { apps: { shop: 1 } }), host('c', { processes: 9 })]), ['c']);
});

test('never places on down or drained hosts', () => {
  assert.deepEqual(place(req(2), [host('a', { schedulable: false }), host('b')]), ['b', 'b']);
  assert.throws(() => place(req(1), [host('a', { schedulable: false })]), /all are down or drained/);
});

test('respects memory capacity and says what could not be placed', () => {
  const hosts = [host('small', { capacityMemoryMb: 1024 }), host('full', { capacityMemoryMb: 1024, reservedMemoryMb: 800 })];
  assert.deepEqual(place(req(2), hosts), ['small', 'small']);
  try {
    place(req(3), hosts);
    assert.fail('expected a PlacementError');
  } catch (err) {
    assert.ok(err instanceof PlacementError);
    assert.deepEqual(err.placed, ['small', 'small']);
    assert.match(err.message, /placed 2 of 3 .*not enough free memory .*512 MB/);
  }
});

test('prefers hosts with the image, then the least loaded', () => {
  assert.deepEqual(place(req(1), [host('a'), host('b', { images: ['img:1'] })]), ['b']);
  assert.deepEqual(place(req(1), [host('a', { reservedMemoryMb: 2048 }), host('b', { reservedMemoryMb: 512 })]), ['b']);
  assert.deepEqual(place(req(1), [host('b'), host('a')]), ['a'], 'ties break by name');
});

test('is deterministic and balanced at scale', () => {
  const hosts = Array.from({ length: 50 }, (_, i) => host(`h${String(i).padStart(2, '0')}`));
  const a = place(req(500), hosts);
  assert.deepEqual(a, place(req(500), hosts));
  const counts = new Map<string, number>();
  for (const h of a) counts.set(h, (counts.get(h) ?? 0) + 1);
  assert.deepEqual(new Set(counts.values()), new Set([10]));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackendStates } from './backend-states.js';
import { LeastConnections, RoundRobin } from './balancer.js';
import { appRoute, backend } from './test-support.js';

test('round-robin: backends take turns, per route', () => {
  const rr = new RoundRobin();
  const a = appRoute('a', [], [backend(1, 1), backend(2, 2), backend(3, 3)]);
  const b = appRoute('b', [], [backend(4, 1)]);
  assert.deepEqual([1, 2, 3, 4].map(() => rr.pick(a)?.port), [1, 2, 3, 1]);
  assert.deepEqual([1, 2].map(() => rr.pick(b)?.port), [4, 4]);
  assert.equal(rr.pick(appRoute('none', [], [])), undefined);
});

test('a retry goes to another backend, or to none when there is no other', () => {
  const rr = new RoundRobin();
  const a = appRoute('a', [], [backend(1, 1), backend(2, 2)]);
  for (let i = 0; i < 4; i++) {
    const first = rr.pick(a)!;
    assert.notEqual(rr.pick(a, first), first);
  }
  const solo = appRoute('s', [], [backend(9)]);
  assert.equal(rr.pick(solo, solo.backends[0]), undefined);
});

test('ejected backends are passed over while another is available, and tried when none is', () => {
  let now = 0;
  const states = new BackendStates({ ejectAfter: 2, ejectMs: 1000, now: () => now });
  const route = appRoute('a', [], [backend(1, 1), backend(2, 2), backend(3, 3)]);
  states.failed(route.backends[0]!);
  assert.equal(states.failed(route.backends[0]!), true, 'the second failure in a row ejects');
  for (const balancer of [new RoundRobin(states), new LeastConnections(states)]) {
    const seen = new Set([1, 2, 3, 4, 5, 6].map(() => balancer.pick(route)?.port));
    assert.deepEqual([...seen].sort(), [2, 3]);
  }
  const solo = appRoute('s', [], [backend(1, 1)]);
  assert.equal(new RoundRobin(states).pick(solo)?.port, 1, 'the only backend is tried even when ejected');
  now = 1001;
  assert.ok(states.available(route.backends[0]!), 'the cool-down is over');
});

test('least-connections picks the backend with the fewest requests in flight; ties take turns', () => {
  const states = new BackendStates({ ejectAfter: 3, ejectMs: 1000 });
  const route = appRoute('a', [], [backend(1, 1), backend(2, 2), backend(3, 3)]);
  const lc = new LeastConnections(states);
  assert.deepEqual([1, 2, 3].map(() => lc.pick(route)?.port), [1, 2, 3], 'idle: turns');
  states.get(route.backends[0]!).active = 5;
  states.get(route.backends[1]!).active = 1;
  states.get(route.backends[2]!).active = 2;
  assert.equal(lc.pick(route)?.port, 2);
  assert.equal(lc.pick(route, route.backends[1])?.port, 3, 'a retry excludes the backend it leaves');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackendStates, keyOf } from './backend-states.js';
import { backend } from './test-support.js';

test('N failed connections in a row eject a backend for the cool-down; a success clears the count', () => {
  let now = 100;
  const states = new BackendStates({ ejectAfter: 3, ejectMs: 500, now: () => now });
  const b = backend(7001);
  assert.equal(states.failed(b), false);
  assert.equal(states.failed(b), false);
  states.succeeded(b);
  assert.equal(states.failed(b), false);
  assert.equal(states.failed(b), false);
  assert.equal(states.failed(b), true, 'third in a row');
  assert.equal(states.available(b), false);
  assert.equal(states.ejected(), 1);
  assert.equal(states.available({ ...b }), false, 'by address, not by object');
  now = 601;
  assert.equal(states.available(b), true);
  assert.equal(states.failed(b), true, 'still failing after the cool-down: ejected again at once');
  states.succeeded(b);
  assert.equal(states.available(b), true);
  assert.equal(states.ejected(), 0);
});

test('prune forgets backends no route has, once nothing is in flight to them', () => {
  const states = new BackendStates({ ejectAfter: 3, ejectMs: 500 });
  const [a, b, c] = [backend(1), backend(2), backend(3)];
  states.get(a);
  states.get(b).active = 1;
  states.get(c);
  const gone = states.prune(new Set([keyOf(c)]));
  assert.equal(gone.length, 2);
  assert.equal(states.prune(new Set([keyOf(c)])).length, 1, 'b is kept while a request is in flight');
  states.get({ ...b }).active = 0;
  assert.equal(states.prune(new Set([keyOf(c)])).length, 1);
  assert.equal(states.prune(new Set([keyOf(c)])).length, 0);
});

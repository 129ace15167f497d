import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AckAggregator } from './ack-aggregator.js';

test('a version is acknowledged once every worker serves it, once', () => {
  const acks: [string, number][] = [];
  const a = new AckAggregator((app, v) => acks.push([app, v]));
  a.join(1);
  a.join(2);
  a.applied(1, [['shop', 5]]);
  assert.deepEqual(acks, [], 'worker 2 has not applied it yet');
  a.applied(2, [['shop', 5], ['blog', 1]]);
  assert.deepEqual(acks, [['shop', 5]]);
  a.applied(1, [['shop', 5], ['blog', 1]]);
  assert.deepEqual(acks, [['shop', 5], ['blog', 1]]);
  a.applied(2, [['shop', 5]]);
  assert.equal(acks.length, 2, 'no repeat');
});

test('the slowest worker decides; a newer version on one worker acks the older one everywhere', () => {
  const acks: [string, number][] = [];
  const a = new AckAggregator((app, v) => acks.push([app, v]));
  a.join(1);
  a.join(2);
  a.applied(1, [['shop', 7]]);
  a.applied(2, [['shop', 6]]);
  assert.deepEqual(acks, [['shop', 6]]);
  a.applied(2, [['shop', 7]]);
  assert.deepEqual(acks.at(-1), ['shop', 7]);
});

test('a starting worker holds acknowledgements back; one that exits stops counting', () => {
  const acks: [string, number][] = [];
  const a = new AckAggregator((app, v) => acks.push([app, v]));
  a.join(1);
  a.applied(1, [['shop', 2]]);
  assert.deepEqual(acks, [['shop', 2]]);
  a.join(2); // a replacement worker, still syncing
  a.applied(1, [['shop', 3]]);
  assert.equal(acks.length, 1);
  a.leave(2); // it died before reporting
  assert.deepEqual(acks.at(-1), ['shop', 3]);
  a.leave(1);
  a.applied(1, [['shop', 4]]);
  assert.equal(acks.length, 2, 'reports of unknown workers are ignored');
});

test('removed apps are forgotten, so a re-created app is acknowledged from scratch', () => {
  const acks: [string, number][] = [];
  const a = new AckAggregator((app, v) => acks.push([app, v]));
  a.join(1);
  a.applied(1, [['shop', 9]]);
  a.removed(1, ['shop']);
  a.applied(1, [['shop', 1]]);
  assert.deepEqual(acks, [['shop', 9], ['shop', 1]]);
});

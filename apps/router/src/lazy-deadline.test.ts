import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LazyDeadline } from './lazy-deadline.js';
import { eventually } from './test-support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a deadline fires once it passes; moved on, it waits again; disarm and stop keep it quiet', async () => {
  let fired = 0;
  const d = new LazyDeadline(() => fired++);
  d.arm(10);
  await eventually(() => fired === 1, 'the deadline to fire');

  d.arm(20);
  d.arm(60_000, false); // moved on: the timer set for 20 ms finds time left and waits again
  await sleep(100);
  assert.equal(fired, 1);

  d.arm(60_000);
  d.arm(10); // precise: brought forward
  await eventually(() => fired === 2, 'the deadline brought forward to fire');

  d.arm(10);
  d.disarm();
  await sleep(100);
  assert.equal(fired, 2, 'disarmed: nothing fires');

  d.arm(10);
  d.stop();
  d.arm(10);
  await sleep(100);
  assert.equal(fired, 2, 'stopped for good');
});

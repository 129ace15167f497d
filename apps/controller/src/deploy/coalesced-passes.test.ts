import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoalescedPasses } from './coalesced-passes.js';

/** A pass that records when it began and waits to be finished by the test. */
function passes() {
  let clock = 0;
  const started: { at: number; replace: string[]; finish: (err?: Error) => void }[] = [];
  const pass = (replace: ReadonlySet<string>) =>
    new Promise<void>((resolve, reject) => {
      started.push({ at: ++clock, replace: [...replace].sort(), finish: (err) => (err ? reject(err) : resolve()) });
    });
  return { started, pass, tick: () => ++clock };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('CoalescedPasses', () => {
  test('callers arriving while a pass runs share the next pass: N callers, at most two passes', async () => {
    const c = new CoalescedPasses();
    const p = passes();
    const first = c.run('app', p.pass);
    const calledAt: number[] = [];
    const answeredBy: number[] = [];
    const later = Array.from({ length: 10 }, () => {
      calledAt.push(p.tick());
      return c.run('app', p.pass).then(() => answeredBy.push(p.started.length));
    });
    await settle();
    assert.equal(p.started.length, 1, 'the running pass is not joined, and no pass queues per caller');
    p.started[0]!.finish();
    await first;
    await settle();
    assert.equal(p.started.length, 2);
    assert.ok(calledAt.every((t) => t < p.started[1]!.at), 'the shared pass began after every caller called');
    assert.deepEqual(answeredBy, [], 'nobody is answered by the pass that was running when they called');
    p.started[1]!.finish();
    await Promise.all(later);
    assert.equal(p.started.length, 2);
    assert.deepEqual(answeredBy, Array(10).fill(2));
    assert.equal(c.busy('app'), false);
  });

  test("a pass's error reaches every caller waiting on it, and the next pass starts afresh", async () => {
    const c = new CoalescedPasses();
    const p = passes();
    const first = c.run('app', p.pass);
    const waiters = [c.run('app', p.pass), c.run('app', p.pass), c.run('app', p.pass)];
    p.started[0]!.finish();
    await first;
    await settle();
    p.started[1]!.finish(new Error('boom'));
    for (const w of waiters) await assert.rejects(w, /boom/);
    const again = c.run('app', p.pass);
    await settle();
    assert.equal(p.started.length, 3);
    p.started[2]!.finish();
    await again;
  });

  test('a failing running pass fails only its own caller; the waiters get the next pass', async () => {
    const c = new CoalescedPasses();
    const p = passes();
    const first = c.run('app', p.pass);
    const waiter = c.run('app', p.pass);
    p.started[0]!.finish(new Error('first failed'));
    await assert.rejects(first, /first failed/);
    await settle();
    p.started[1]!.finish();
    await waiter;
  });

  test('the replace sets of the callers sharing a pass are merged', async () => {
    const c = new CoalescedPasses();
    const p = passes();
    const first = c.run('app', p.pass, new Set(['a']));
    const b = c.run('app', p.pass, new Set(['b']));
    const plain = c.run('app', p.pass);
    const d = c.run('app', p.pass, new Set(['c', 'b']));
    p.started[0]!.finish();
    await first;
    await settle();
    assert.deepEqual(p.started.map((s) => s.replace), [['a'], ['b', 'c']]);
    p.started[1]!.finish();
    await Promise.all([b, plain, d]);
  });

  test('keys are independent, and a synchronous throw is a rejection', async () => {
    const c = new CoalescedPasses();
    const p = passes();
    const a = c.run('a', p.pass);
    const b = c.run('b', p.pass);
    await settle();
    assert.equal(p.started.length, 2);
    assert.equal(c.busy('a'), true);
    p.started[0]!.finish();
    p.started[1]!.finish();
    await Promise.all([a, b]);
    await settle();
    assert.equal(c.busy('a'), false);
    await assert.rejects(
      c.run('a', () => {
        throw new Error('sync');
      }),
      /sync/,
    );
    await settle();
    assert.equal(c.busy('a'), false);
  });
});

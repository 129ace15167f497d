import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedRefresh } from './shared-refresh.js';

/** A read whose runs the test finishes by hand: run n resolves with n. */
function controlled() {
  const runs: { finish: () => void; fail: (e: Error) => void }[] = [];
  let version = 0;
  const refresh = new SharedRefresh<number>(
    () =>
      new Promise<number>((resolve, reject) => {
        const n = ++version;
        runs.push({ finish: () => resolve(n), fail: reject });
      }),
  );
  return { refresh, runs };
}

test('callers during a run share the next run, which starts after the current one', async () => {
  const { refresh, runs } = controlled();
  const first = refresh.get();
  const second = [refresh.get(), refresh.get(), refresh.get()];
  assert.equal(runs.length, 1, 'one run at a time');
  runs[0]!.finish();
  assert.equal(await first, 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(runs.length, 2, 'the waiting callers started one more run, not three');
  const third = refresh.get();
  runs[1]!.finish();
  assert.deepEqual(await Promise.all(second), [2, 2, 2], 'none of them got the run that began before they asked');
  await new Promise((r) => setImmediate(r));
  runs[2]!.finish();
  assert.equal(await third, 3);
  assert.equal(runs.length, 3);
});

test('a failed run fails its callers only; the next callers get a fresh run', async () => {
  const { refresh, runs } = controlled();
  const first = refresh.get();
  const waiting = refresh.get();
  runs[0]!.fail(new Error('engine down'));
  await assert.rejects(first, /engine down/);
  await new Promise((r) => setImmediate(r));
  runs[1]!.finish();
  assert.equal(await waiting, 2);
  const later = refresh.get();
  assert.equal(runs.length, 3);
  runs[2]!.finish();
  assert.equal(await later, 3);
});

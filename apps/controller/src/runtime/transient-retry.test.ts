import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isTransientEngineError, retryTransient } from './transient-retry.js';

describe('retryTransient', () => {
  test('the engine errors worth another try, and those that are answers', () => {
    const transient = [
      Object.assign(new Error('(HTTP code 500) server error - unable to remove filesystem for abc: unlinkat /x: directory not empty'), { statusCode: 500 }),
      Object.assign(new Error('removal of container abc is already in progress'), { statusCode: 409 }),
      Object.assign(new Error('(HTTP code 502) bad gateway'), { statusCode: 502 }),
      Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      new Error('timeout of 5000ms exceeded'),
    ];
    for (const err of transient) assert.ok(isTransientEngineError(err), err.message);
    const answers = [
      Object.assign(new Error('(HTTP code 404) no such container'), { statusCode: 404 }),
      Object.assign(new Error('(HTTP code 409) conflict'), { statusCode: 409 }),
      new Error('bad spec'),
      undefined,
      'a string',
    ];
    for (const err of answers) assert.ok(!isTransientEngineError(err), String(err));
  });

  test('waits with doubling delays up to the cap, then gives up with the last error', async () => {
    const waits: number[] = [];
    let calls = 0;
    const fail = Object.assign(new Error('engine 503'), { statusCode: 503 });
    await assert.rejects(
      retryTransient(
        async () => {
          calls++;
          throw fail;
        },
        { attempts: 5, baseDelayMs: 100, maxDelayMs: 300, sleep: async (ms) => void waits.push(ms) },
      ),
      (err) => err === fail,
    );
    assert.equal(calls, 5);
    assert.deepEqual(waits, [100, 200, 300, 300]);
  });

  test('succeeds once the error passes, and never retries an answer', async () => {
    let calls = 0;
    const value = await retryTransient(
      async () => {
        if (++calls < 3) throw Object.assign(new Error('engine 500'), { statusCode: 500 });
        return 'done';
      },
      { sleep: async () => {} },
    );
    assert.equal(value, 'done');
    assert.equal(calls, 3);
    let once = 0;
    await assert.rejects(retryTransient(async () => {
      once++;
      throw Object.assign(new Error('no such container'), { statusCode: 404 });
    }, { sleep: async () => {} }));
    assert.equal(once, 1);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { eventually } from './eventually.js';
import { freePort } from './ports.js';

test('eventually returns the first truthy value of check', async () => {
  let calls = 0;
  const value = await eventually(() => (++calls >= 3 ? { calls } : undefined), 'three calls', { intervalMs: 1 });
  assert.deepEqual(value, { calls: 3 });
});

test('a check that throws counts as not yet', async () => {
  let calls = 0;
  const value = await eventually(
    async () => {
      calls++;
      if (calls < 3) throw new Error('not ready');
      return 'ready';
    },
    'ready',
    { intervalMs: 1 },
  );
  assert.equal(value, 'ready');
});

test('on time out, the error names what was awaited, the last failure and the detail', async () => {
  const err = await eventually(
    () => {
      throw new Error('connection refused');
    },
    'the server',
    { timeoutMs: 20, intervalMs: 1, detail: () => 'server log: boom' },
  ).then(
    () => assert.fail('it resolved'),
    (e: unknown) => e as Error,
  );
  assert.match(err.message, /waiting for the server/);
  assert.match(err.message, /connection refused/);
  assert.match(err.message, /server log: boom/);
  assert.equal((err.cause as Error).message, 'connection refused');
});

test('a number is the time out', async () => {
  await assert.rejects(eventually(() => false, 'never', 10), /timed out after 10 ms waiting for never/);
});

test('freePort gives a port nothing listens on', async () => {
  const port = await freePort();
  assert.ok(port > 0 && port < 65536);
  const refused = await new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });
  assert.equal(refused, true);
});

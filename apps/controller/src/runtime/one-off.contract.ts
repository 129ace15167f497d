import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import type { RuntimeBackend } from './runtime-backend.js';
import type { OneOffIo, OneOffRunner, OneOffSpec } from './one-off.js';
import { eventually } from '@paas/test-kit';

/** Collects what is written to it. */
export function collector(): Writable & { text(): string } {
  const chunks: Buffer[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return Object.assign(w, { text: () => Buffer.concat(chunks).toString('utf8') });
}

export function oneOffIo(input = ''): OneOffIo & { stdout: ReturnType<typeof collector>; stderr: ReturnType<typeof collector>; abort: () => void } {
  const stdin = new PassThrough();
  stdin.end(input);
  const controller = new AbortController();
  return { stdin, stdout: collector(), stderr: collector(), signal: controller.signal, abort: () => controller.abort() };
}

export function oneOffSpec(image: string, over: Partial<OneOffSpec> = {}): OneOffSpec {
  return { app: 'contract-run', release: 4, index: 1, image, command: 'echo hi', env: { GREETING: 'hello' }, port: 5000, tty: false, ...over };
}

/** The contract every one-off runner passes: the Docker one and the in-memory fake alike. */
export function oneOffContract(
  name: string,
  make: () => Promise<{ runtime: RuntimeBackend & OneOffRunner; image: string; close: () => Promise<void> }>,
): void {
  test(`${name}: an attached one-off runs, writes to the caller's stdout, exits with its code and is removed`, async () => {
    const { runtime, image, close } = await make();
    try {
      const io = oneOffIo();
      const run = await runtime.runAttached(oneOffSpec(image, { index: 7 }), io);
      assert.equal(run.info.name, 'run.7');
      assert.equal(run.info.type, 'run');
      assert.equal(run.info.app, 'contract-run');
      assert.equal(run.info.port, undefined);
      assert.equal(await run.exit, 0);
      assert.match(io.stdout.text(), /hi/);
      assert.deepEqual(await runtime.list({ app: 'contract-run' }), [], 'one-offs are not formation processes');
      await eventually(async () => !(await runtime.listOneOffs({ app: 'contract-run' })).some((p) => p.id === run.info.id), 'removed after exit');
    } finally {
      await close();
    }
  });

  test(`${name}: a detached one-off is listed as run.N until it is stopped`, async () => {
    const { runtime, image, close } = await make();
    try {
      const info = await runtime.runDetached(oneOffSpec(image, { index: 8, command: 'echo started; sleep 60' }));
      assert.equal(info.name, 'run.8');
      const listed = await runtime.listOneOffs({ app: 'contract-run' });
      assert.deepEqual(listed.map((p) => [p.id, p.name, p.type, p.release]), [[info.id, 'run.8', 'run', 4]]);
      assert.deepEqual(await runtime.listOneOffs({ app: 'contract-other' }), []);
      assert.deepEqual(await runtime.list({ app: 'contract-run' }), []);
      await runtime.stop(info.id, 0);
      assert.deepEqual(await runtime.listOneOffs({ app: 'contract-run' }), []);
    } finally {
      await close();
    }
  });
}

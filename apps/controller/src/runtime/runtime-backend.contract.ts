import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProcessSpec, RuntimeBackend } from './runtime-backend.js';

/** The contract every RuntimeBackend passes: the real Docker one and the in-memory fake alike. */
export function runtimeBackendContract(
  name: string,
  make: () => Promise<{
    backend: RuntimeBackend;
    image: string;
    close: () => Promise<void>;
    /** Kills a process from outside the platform (as `docker kill` or an OOM killer does). */
    kill: (backend: RuntimeBackend, id: string) => Promise<void>;
  }>,
): void {
  const spec = (image: string, over: Partial<ProcessSpec> = {}): ProcessSpec => ({
    app: 'contract-app',
    release: 3,
    type: 'web',
    index: 1,
    image,
    command: 'echo started $DYNO on $PORT; sleep 300',
    env: { GREETING: 'hi' },
    port: 5000,
    publish: true,
    ...over,
  });

  test(`${name}: start, list, logs and stop a process`, async () => {
    const { backend, image, close } = await make();
    try {
      await backend.ping();
      const web = await backend.start(spec(image));
      const worker = await backend.start(spec(image, { type: 'worker', index: 2, publish: false, app: 'contract-other' }));
      assert.equal(web.name, 'web.1');
      assert.equal(web.release, 3);
      assert.ok(web.port && web.port > 0, 'a published web process has a port');
      assert.equal(worker.port, undefined);

      const mine = await backend.list({ app: 'contract-app' });
      assert.deepEqual(mine.map((p) => [p.id, p.name, p.type, p.release, p.port]), [[web.id, 'web.1', 'web', 3, web.port]]);
      assert.equal((await backend.list()).length, 2);

      let out = '';
      for (let i = 0; i < 50 && !out.includes('started'); i++) {
        out = await backend.logs(web.id, 10);
        if (!out.includes('started')) await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(out, /started/);

      await backend.stop(web.id, 1);
      await backend.stop(web.id, 1); // twice is harmless
      assert.deepEqual(await backend.list({ app: 'contract-app' }), []);
      await backend.removeAppResources('contract-other');
      assert.deepEqual(await backend.list(), []);
    } finally {
      await close();
    }
  });

  test(`${name}: a process killed from outside is listed as crashed and abandoned (the engine will not restart it)`, async () => {
    const { backend, image, close, kill } = await make();
    try {
      const web = await backend.start(spec(image));
      const running = (await backend.list({ app: 'contract-app' }))[0]!;
      assert.notEqual(running.abandoned, true);
      await kill(backend, web.id);
      let listed = (await backend.list({ app: 'contract-app' }))[0];
      // The engine records the exit shortly after the kill answers.
      for (let i = 0; i < 50 && !listed?.abandoned; i++) {
        await new Promise((r) => setTimeout(r, 100));
        listed = (await backend.list({ app: 'contract-app' }))[0];
      }
      assert.equal(listed?.id, web.id);
      assert.equal(listed?.state, 'crashed');
      assert.equal(listed?.abandoned, true);
      await backend.stop(web.id, 0);
      assert.deepEqual(await backend.list({ app: 'contract-app' }), []);
    } finally {
      await close();
    }
  });
}

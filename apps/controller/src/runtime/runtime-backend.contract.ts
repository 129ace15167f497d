import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '@paas/shared';
import { isAppRenamer, isDiskUsageAware, type ProcessInfo, type ProcessSpec, type RuntimeBackend } from './runtime-backend.js';

/** What a contract run needs of an implementation; `make` gives a fresh one per test. */
export interface RuntimeContractSubject {
  backend: RuntimeBackend;
  /** An image processes can run (present on the engine). */
  image: string;
  close: () => Promise<void>;
  /** Kills a process from outside the platform (as `docker kill` or an OOM killer does). */
  kill: (backend: RuntimeBackend, id: string) => Promise<void>;
  /**
   * Makes a process exit with an error on its own, and again after each restart (a crash loop). The
   * process runs `crashLoopCommand`.
   */
  crash: (backend: RuntimeBackend, id: string) => Promise<void>;
  /** Makes the engine hold an image of `app` named `ref` (as a build of the app would). */
  addImage: (app: string, ref: string) => Promise<void>;
  hasImage: (ref: string) => Promise<boolean>;
  /** Makes a process write `mb` megabytes to its own filesystem (for runtimes that measure disk use). */
  write: (backend: RuntimeBackend, id: string, mb: number) => Promise<void>;
  /**
   * A runtime of the same kind whose engine accepts connections and never answers, with a deadline of
   * its own of about half a second for calls that give none.
   */
  stalled: () => Promise<{ backend: RuntimeBackend; close: () => Promise<void> }>;
  /**
   * The engine replaces a process killed from outside by itself (Swarm, Kubernetes): the process is
   * then never `abandoned` (the reconcile has nothing to do), it is listed crashed while it waits for
   * its restart, and comes back under the same id with its restarts counted.
   */
  recovers?: boolean;
}

/** The command of a process the `crash` hook can put into a crash loop: it exits 3 once the marker is there. */
export const crashLoopCommand = 'test -e /tmp/crash && exit 3; echo started; exec sleep 300';

/** Every test ends in time whatever a runtime does: a hang fails it instead of the whole run. */
const bounded = { timeout: 120_000 };

async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  let v = await read();
  for (let i = 0; i < 150 && !done(v); i++) {
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
}

async function rejectsWith(p: Promise<unknown>, code: string, what: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isAppError(err), `${what}: an AppError, not ${String(err)}`);
    assert.equal(err.code, code, `${what}: ${err.message}`);
    return true;
  });
}

/** The contract every RuntimeBackend passes: the Docker, cluster and in-memory ones alike. */
export function runtimeBackendContract(name: string, make: () => Promise<RuntimeContractSubject>): void {
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
  const mine = (backend: RuntimeBackend): Promise<ProcessInfo | undefined> => backend.list({ app: 'contract-app' }).then((l) => l[0]);

  test(`${name}: start, list, logs and stop a process`, bounded, async () => {
    const { backend, image, close } = await make();
    try {
      await backend.ping();
      const web = await backend.start(spec(image));
      const worker = await backend.start(spec(image, { type: 'worker', publish: false, app: 'contract-other' }));
      assert.equal(web.name, 'web.1');
      assert.equal(web.release, 3);
      assert.ok(web.port && web.port > 0, 'a published web process has a port');
      assert.equal(worker.port, undefined);

      const listed = await backend.list({ app: 'contract-app' });
      assert.deepEqual(listed.map((p) => [p.id, p.name, p.type, p.release, p.port]), [[web.id, 'web.1', 'web', 3, web.port]]);
      assert.equal((await backend.list()).length, 2);

      const out = await eventually(() => backend.logs(web.id, 10), (o) => o.includes('started'));
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

  test(`${name}: diskUsage (when the runtime measures it) counts what a process wrote to its own filesystem`, bounded, async (t) => {
    const { backend, image, close, write } = await make();
    try {
      if (!isDiskUsageAware(backend)) return t.skip('this runtime does not measure disk use');
      const web = await backend.start(spec(image));
      const before = (await backend.diskUsage()).find((p) => p.id === web.id);
      assert.equal(before?.app, 'contract-app');
      assert.equal(before?.name, 'web.1');
      await write(backend, web.id, 12);
      const after = (await backend.diskUsage()).find((p) => p.id === web.id);
      assert.ok(after && after.bytes >= before.bytes + 12 * 1024 * 1024, `${after?.bytes} bytes after writing 12 MB (${before.bytes} before)`);
      await backend.stop(web.id, 0);
      assert.equal((await backend.diskUsage()).find((p) => p.id === web.id), undefined, 'a stopped process is not measured');
    } finally {
      await close();
    }
  });

  test(`${name}: a process killed from outside is listed as crashed and abandoned (the engine will not restart it), or replaced by an engine that recovers processes`, bounded, async () => {
    const { backend, image, close, kill, recovers } = await make();
    try {
      const web = await backend.start(spec(image));
      assert.notEqual((await mine(backend))?.abandoned, true);
      await kill(backend, web.id);
      if (recovers) {
        const back = await eventually(() => mine(backend), (p) => p?.state === 'up' && p.restartCount >= 1);
        assert.equal(back?.id, web.id, 'the same process, replaced by the engine');
        assert.equal(back?.state, 'up');
        assert.ok((back?.restartCount ?? 0) >= 1, `restartCount ${back?.restartCount}`);
        assert.notEqual(back?.abandoned, true);
        await backend.stop(web.id, 0);
        assert.deepEqual(await backend.list({ app: 'contract-app' }), []);
        return;
      }
      // The engine records the exit shortly after the kill answers.
      const listed = await eventually(() => mine(backend), (p) => p?.abandoned === true);
      assert.equal(listed?.id, web.id);
      assert.equal(listed?.state, 'crashed');
      assert.equal(listed?.abandoned, true);
      await backend.stop(web.id, 0);
      assert.deepEqual(await backend.list({ app: 'contract-app' }), []);
    } finally {
      await close();
    }
  });

  test(`${name}: a process that crashes on its own is crashed, not abandoned, and its restarts are counted`, bounded, async () => {
    const { backend, image, close, crash } = await make();
    try {
      const web = await backend.start(spec(image, { command: crashLoopCommand }));
      assert.equal(web.restartCount, 0);
      await eventually(() => backend.logs(web.id, 10), (o) => o.includes('started'));
      await crash(backend, web.id);
      const listed = await eventually(() => mine(backend), (p) => p?.state === 'crashed' && p.restartCount >= 1);
      assert.equal(listed?.id, web.id, 'the same process, restarted in place');
      assert.equal(listed?.state, 'crashed');
      assert.ok((listed?.restartCount ?? 0) >= 1, `restartCount ${listed?.restartCount}`);
      assert.notEqual(listed?.abandoned, true, 'the engine restarts it: the reconcile must leave it');
      await backend.stop(web.id, 0);
      assert.deepEqual(await backend.list({ app: 'contract-app' }), []);
    } finally {
      await close();
    }
  });

  test(`${name}: stop with a grace kills a process that ignores SIGTERM, and removes it`, bounded, async () => {
    const { backend, image, close } = await make();
    try {
      const stubborn = await backend.start(spec(image, { command: "trap '' TERM; echo started; while true; do sleep 1; done" }));
      const polite = await backend.start(spec(image, { type: 'worker', publish: false, command: "trap 'exit 0' TERM; echo started; while true; do sleep 1; done" }));
      await eventually(() => backend.logs(stubborn.id, 10), (o) => o.includes('started'));
      await eventually(() => backend.logs(polite.id, 10), (o) => o.includes('started'));
      await Promise.all([backend.stop(stubborn.id, 1), backend.stop(polite.id, 10)]);
      assert.deepEqual(await backend.list({ app: 'contract-app' }), [], 'both gone, not restarted by the engine');
      await rejectsWith(backend.logs(stubborn.id, 10), 'process_not_found', 'the output of a stopped process');
    } finally {
      await close();
    }
  });

  test(`${name}: unknown and hostile ids are refused with process_not_found (logs) or ignored (stop), never an engine error`, bounded, async () => {
    const { backend, image, close } = await make();
    try {
      const web = await backend.start(spec(image));
      for (const id of ['0'.repeat(64), 'no-such-process', '../../images/json', '', `${web.id}/../x`, 'x'.repeat(10_000)]) {
        await backend.stop(id, 0);
        await rejectsWith(backend.logs(id, 10), 'process_not_found', `logs of ${JSON.stringify(id.slice(0, 30))}`);
      }
      assert.deepEqual((await backend.list({ app: 'contract-app' })).map((p) => p.id), [web.id], 'nothing else was stopped');
    } finally {
      await close();
    }
  });

  test(`${name}: pruneImages removes the app's images outside keep that no process uses`, bounded, async () => {
    const { backend, close, addImage, hasImage } = await make();
    const ref = (n: number) => `paas-contract-prune/contract-app:${n}-${process.pid}`;
    try {
      for (const n of [1, 2, 3]) await addImage('contract-app', ref(n));
      await addImage('contract-other', ref(4));
      const web = await backend.start(spec(ref(2)));
      assert.equal(await backend.pruneImages('contract-app', new Set([ref(3)])), 1);
      assert.deepEqual(await Promise.all([1, 2, 3, 4].map((n) => hasImage(ref(n)))), [false, true, true, true]);
      await backend.stop(web.id, 0);
      assert.equal(await backend.pruneImages('contract-app', new Set([ref(3)])), 1, 'once unused, the old image goes');
      assert.deepEqual(await Promise.all([1, 2, 3, 4].map((n) => hasImage(ref(n)))), [false, false, true, true]);
      assert.equal(await backend.pruneImages('contract-app', new Set([ref(3)])), 0);
    } finally {
      await close();
    }
  });

  test(`${name}: renaming an app (AppRenamer, when it has it): its images under the new name, nothing left under the old one`, bounded, async () => {
    const { backend, close, addImage, hasImage } = await make();
    const [from, to] = [`ren-a-${process.pid}`, `ren-b-${process.pid}`];
    try {
      if (!isAppRenamer(backend)) return;
      await addImage(from, `paas/${from}:b-1`);
      const old = await backend.start(spec(`paas/${from}:b-1`, { app: from }));
      await backend.copyAppResources(from, to);
      assert.ok(await hasImage(`paas/${to}:b-1`), 'the image is there under the new name');
      await backend.copyAppResources(from, to); // again: nothing changes
      const renamed = await backend.start(spec(`paas/${to}:b-1`, { app: to }));
      await backend.retireAppName(from);
      assert.deepEqual(await backend.list({ app: from }), [], 'nothing runs under the old name');
      assert.equal(await hasImage(`paas/${from}:b-1`), false, 'its old tag is gone');
      assert.deepEqual((await backend.list({ app: to })).map((p) => p.id), [renamed.id]);
      assert.notEqual(renamed.id, old.id);
      await backend.stop(renamed.id, 0);
      assert.equal(await backend.pruneImages(to, new Set()), 1, 'the copy is pruned as an image of the new name');
      assert.equal(await hasImage(`paas/${to}:b-1`), false);
    } finally {
      await close();
    }
  });

  test(`${name}: calls on an engine that never answers end with engine_timeout at their deadline, or at the runtime's own`, bounded, async () => {
    const subject = await make();
    const { image, close } = subject;
    const stalled = await subject.stalled();
    try {
      const soon = () => ({ signal: AbortSignal.timeout(300) });
      await rejectsWith(stalled.backend.start(spec(image), soon()), 'engine_timeout', 'start');
      await rejectsWith(stalled.backend.pruneImages('contract-app', new Set(), soon()), 'engine_timeout', 'pruneImages');
      await rejectsWith(stalled.backend.removeAppResources('contract-app', soon()), 'engine_timeout', 'removeAppResources');
      // A runtime of many engines may list without the engines that do not answer.
      const listed = await stalled.backend.list({}, soon()).catch((err: unknown) => err);
      if (Array.isArray(listed)) assert.deepEqual(listed, []);
      else assert.equal(isAppError(listed) && listed.code, 'engine_timeout');
      // Without a deadline of the caller's, the runtime's own applies.
      await rejectsWith(stalled.backend.start(spec(image)), 'engine_timeout', 'start without a deadline');
      await rejectsWith(stalled.backend.pruneImages('contract-app', new Set()), 'engine_timeout', 'pruneImages without a deadline');
    } finally {
      await stalled.close();
      await close();
    }
  });
}

/**
 * bcrypt off the event loop: a few worker threads hash and verify passwords, so a login (about 60 ms
 * of hashing at cost 10) never holds up the requests around it. bcryptjs computes on whichever thread
 * calls it, even in its async form; here that thread is a worker's. Stored hashes stay bcrypt.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export type PasswordTask = { op: 'hash'; password: string; cost: number } | { op: 'verify'; password: string; hash: string };

interface Pending {
  task: PasswordTask;
  resolve: (value: string | boolean) => void;
  reject: (err: Error) => void;
}

/** The worker's code: CommonJS, loading bcryptjs from the path the pool resolved (the same in dist and under tsx). */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptjs);
parentPort.on('message', (task) => {
  try {
    const value = task.op === 'hash' ? bcrypt.hashSync(task.password, task.cost) : bcrypt.compareSync(task.password, task.hash);
    parentPort.postMessage({ ok: true, value });
  } catch (err) {
    parentPort.postMessage({ ok: false, message: String(err && err.message || err) });
  }
});
`;

interface Slot {
  worker: Worker;
  busy: Pending | undefined;
}

export class PasswordPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly bcryptjs = createRequire(import.meta.url).resolve('bcryptjs');
  private closed = false;

  /** `size` workers at most, started when first needed. */
  constructor(private readonly size = 2) {}

  hash(password: string, cost: number): Promise<string> {
    return this.run({ op: 'hash', password, cost }) as Promise<string>;
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.run({ op: 'verify', password, hash }) as Promise<boolean>;
  }

  /** Stops the workers; tasks not yet finished are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('the password pool is closed'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private run(task: PasswordTask): Promise<string | boolean> {
    if (this.closed) return Promise.reject(new Error('the password pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) slot = this.start();
      if (!slot) return;
      const next = this.queue.shift()!;
      slot.busy = next;
      // A worker with work keeps the process alive; an idle one does not.
      slot.worker.ref();
      slot.worker.postMessage(next.task);
    }
  }

  private start(): Slot {
    const worker = new Worker(workerSource, { eval: true, workerData: { bcryptjs: this.bcryptjs } });
    const slot: Slot = { worker, busy: undefined };
    worker.unref();
    worker.on('message', (m: { ok: true; value: string | boolean } | { ok: false; message: string }) => {
      const done = slot.busy;
      slot.busy = undefined;
      worker.unref();
      if (m.ok) done?.resolve(m.value);
      else done?.reject(new Error(m.message));
      this.dispatch();
    });
    const lost = (err: Error): void => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      slot.busy?.reject(err);
      slot.busy = undefined;
      if (!this.closed) this.dispatch();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`a password worker exited (code ${code})`)));
    this.slots.push(slot);
    return slot;
  }
}

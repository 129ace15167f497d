import type { Logger } from '@paas/shared';
import { isDiskUsageAware, type ProcessDiskUsage, type RuntimeBackend } from '../runtime/runtime-backend.js';
import type { PlatformEventSink } from '../logs/platform-events.js';

export interface DiskWatchOptions {
  runtime: RuntimeBackend;
  events: PlatformEventSink;
  /** The most a process may write to its own filesystem, in bytes; 0 turns the watch off. */
  limitBytes: number;
  /** SIGTERM to SIGKILL for the process replaced. */
  stopGraceSeconds: number;
  log: Logger;
}

/**
 * A process's filesystem is ephemeral, as on Heroku, but this engine cannot bound it (no storage quota
 * on overlay2 over ext4): a disk filler would fill the host's disk and take every app there with it.
 * Each reconcile pass measures what each process has written (its container's writable layer) and
 * stops any process over `PAAS_MAX_PROCESS_DISK_MB`, telling the app's log why; the same pass then
 * starts its replacement with a fresh filesystem. The app's own volumes are not counted (they are
 * the place for data that must last).
 */
export class DiskWatch {
  constructor(private readonly o: DiskWatchOptions) {}

  get enabled(): boolean {
    return this.o.limitBytes > 0 && isDiskUsageAware(this.o.runtime);
  }

  /** Stops the processes over the limit; answers them. Never throws: a failed measure skips this pass. */
  async runOnce(): Promise<ProcessDiskUsage[]> {
    const runtime = this.o.runtime;
    if (this.o.limitBytes <= 0 || !isDiskUsageAware(runtime)) return [];
    let usage: ProcessDiskUsage[];
    try {
      usage = await runtime.diskUsage();
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'cannot measure the disk use of processes');
      return [];
    }
    const over = usage.filter((p) => p.bytes > this.o.limitBytes);
    for (const p of over) {
      const line =
        `Disk quota exceeded: ${p.name} wrote ${megabytes(p.bytes)} MB to its filesystem ` +
        `(limit ${megabytes(this.o.limitBytes)} MB); stopping it, it restarts with a fresh filesystem (keep data in a volume)`;
      this.o.log.warn({ app: p.app, process: p.name, host: p.host, bytes: p.bytes }, 'process over its disk limit replaced');
      await this.o.events.say(p.app, line, p.name);
      await runtime.stop(p.id, this.o.stopGraceSeconds).catch((err: unknown) => {
        this.o.log.warn({ app: p.app, process: p.name, err: (err as Error).message }, 'cannot stop a process over its disk limit');
      });
    }
    return over;
  }
}

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(0);
}

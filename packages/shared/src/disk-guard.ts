import { statfs } from 'node:fs/promises';
import { AppError } from './errors.js';

/** Bytes free (for an unprivileged writer) on the filesystem holding `path`. A seam: tests give a fake. */
export type FreeSpaceProbe = (path: string) => Promise<number>;

export const statfsFreeSpace: FreeSpaceProbe = async (path) => {
  const s = await statfs(path);
  return s.bavail * s.bsize;
};

export interface DiskGuardOptions {
  /** The directories work is written to (the first that exists up each path is probed). */
  paths: string[];
  /** Below this many bytes free on any of them, new work is refused. */
  minFreeBytes: number;
  probe?: FreeSpaceProbe;
}

/**
 * Refuses new work (a build) while a disk it writes to is nearly full, with a message that says
 * so, instead of failing halfway with ENOSPC or filling the disk the running apps share.
 */
export class DiskGuard {
  private readonly probe: FreeSpaceProbe;

  constructor(private readonly o: DiskGuardOptions) {
    this.probe = o.probe ?? statfsFreeSpace;
  }

  /** Rejects with insufficient_storage (507, retryable) when a path has less than the minimum free. */
  async assertRoom(what = 'builds'): Promise<void> {
    for (const path of this.o.paths) {
      const free = await this.freeAt(path);
      if (free !== undefined && free < this.o.minFreeBytes) {
        throw new AppError(
          'insufficient_storage',
          `the disk holding ${path} is nearly full (${mb(free)} MB free, ${what} need ${mb(this.o.minFreeBytes)} MB): ${what} are refused until space is freed; running apps are not affected`,
          { retryable: true, details: { path, freeMb: mb(free), minFreeMb: mb(this.o.minFreeBytes) } },
        );
      }
    }
  }

  /** The free bytes at `path` or its nearest existing parent; undefined when none can be probed. */
  private async freeAt(path: string): Promise<number | undefined> {
    let p = path;
    for (;;) {
      try {
        return await this.probe(p);
      } catch (err) {
        const parent = p.replace(/\/[^/]*\/?$/, '') || '/';
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === p) return undefined;
        p = parent;
      }
    }
  }
}

function mb(bytes: number): number {
  return Math.floor(bytes / (1024 * 1024));
}

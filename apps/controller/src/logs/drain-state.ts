import type { Redis } from 'ioredis';
import type { RedisKeys } from '@paas/shared';
import type { StreamInfo } from './log-store.js';

/** A drain's delivery state, kept in Redis beside the stream it reads. */
export interface DrainState {
  /** Id of the last stream entry delivered (or skipped). */
  cursor: string;
  /** The stream's entries-added count at the cursor: how far the drain is behind is entries-added − seq. */
  seq: number;
  delivered: number;
  dropped: number;
  /** Dropped lines already reported in a platform line. */
  reportedDropped: number;
  droppedSince: string;
  status: 'delivering' | 'retrying';
  lastError: string;
  lastErrorAt: string;
}

export class DrainStateStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Starts a new drain at the stream's end: it delivers what is written from now on. */
  async initialize(drainId: string, at: StreamInfo): Promise<void> {
    await this.redis.hset(this.keys.drainState(drainId), { cursor: at.lastId, seq: at.entriesAdded, delivered: 0, dropped: 0, reportedDropped: 0 });
  }

  async get(drainId: string): Promise<DrainState | undefined> {
    const h = await this.redis.hgetall(this.keys.drainState(drainId));
    if (!h['cursor']) return undefined;
    return {
      cursor: h['cursor'],
      seq: Number(h['seq'] ?? 0),
      delivered: Number(h['delivered'] ?? 0),
      dropped: Number(h['dropped'] ?? 0),
      reportedDropped: Number(h['reportedDropped'] ?? 0),
      droppedSince: h['droppedSince'] ?? '',
      status: h['status'] === 'retrying' ? 'retrying' : 'delivering',
      lastError: h['lastError'] ?? '',
      lastErrorAt: h['lastErrorAt'] ?? '',
    };
  }

  /** The stored state, or a new one at the stream's end. */
  async load(drainId: string, streamInfo: () => Promise<StreamInfo>): Promise<DrainState> {
    const known = await this.get(drainId);
    if (known) return known;
    await this.initialize(drainId, await streamInfo());
    return (await this.get(drainId))!;
  }

  async save(drainId: string, s: DrainState): Promise<void> {
    await this.redis.hset(this.keys.drainState(drainId), { ...s });
  }

  async remove(drainId: string): Promise<void> {
    await this.redis.del(this.keys.drainState(drainId));
  }
}

import type pg from 'pg';
import { LogRateLimit } from './log-rate-limit.js';
import type { Redis } from 'ioredis';
import { EgressGuard, type Logger, type RedisKeys } from '@paas/shared';
import type { HostRow } from '../db/hosts.js';
import { DrainManager } from './drain-manager.js';
import { DrainStateStore } from './drain-state.js';
import { EngineClients } from './engine-clients.js';
import { LeaderLock } from './leader-lock.js';
import { LogCollector } from './log-collector.js';
import { LogStore } from './log-store.js';
import { LogTails } from './log-tail.js';
import { PlatformEvents } from './platform-events.js';

/** Hooks the metrics module counts through. */
export interface LogCounters {
  linesCollected?: (n: number) => void;
  drainDelivered?: (n: number) => void;
  drainDropped?: (n: number) => void;
  crashed?: (app: string, process: string, host: string) => void;
}

export interface LogServicesOptions {
  pool: pg.Pool;
  redis: Redis;
  keys: RedisKeys;
  log: Logger;
  /** Lines kept per app (PAAS_LOG_LINES). */
  maxLines: number;
  /** Lines a second each process may write (PAAS_LOG_RATE; 0 or absent: no limit). */
  linesPerSecond?: number;
  /** Extra CA certificates drains trust (PAAS_DRAIN_CA_FILE). */
  drainCa?: Buffer | undefined;
  /** The egress guard drains go through (default: the strict one, no operator allowances). */
  egress?: EgressGuard;
  /** The platform's hosts, for the collector; without them nothing is collected (API tests). */
  hosts?: () => HostRow[];
  engines?: EngineClients;
  /** Label value scoping the platform's containers. */
  cluster: string;
  /** A process the engine will not restart (killed from outside): replace it now rather than at the next reconcile. */
  onProcessAbandoned?: (app: string) => void;
  counters?: LogCounters;
  /** Drain retry timing (tests shorten it). */
  drainBackoff?: { baseMs: number; maxMs: number };
}

/** Advisory lock key: the controller holding it collects logs and delivers drains. */
export const logLeaderLockKey = 727_007;

/**
 * Everything about app logs, made once in main.ts (or a test): the stream store, platform events,
 * the tails, and — on the one controller that leads — the collector and the drain workers.
 */
export class LogServices {
  readonly store: LogStore;
  readonly events: PlatformEvents;
  readonly drainState: DrainStateStore;
  readonly tails = new LogTails();
  readonly drains: DrainManager;
  readonly collector: LogCollector | undefined;
  private readonly leader: LeaderLock;

  /** Checks every address drains are sent to. */
  readonly egress: EgressGuard;

  constructor(private readonly o: LogServicesOptions) {
    this.egress = o.egress ?? new EgressGuard();
    this.store = new LogStore(o.redis, o.keys, o.maxLines);
    this.events = new PlatformEvents(this.store, o.log);
    this.drainState = new DrainStateStore(o.redis, o.keys);
    this.drains = new DrainManager({
      pool: o.pool,
      store: this.store,
      state: this.drainState,
      events: this.events,
      log: o.log,
      ca: o.drainCa,
      guard: this.egress,
      // Below the stream's length, so a lagging drain is noticed before the stream trims its lines.
      maxLag: Math.max(1, Math.floor((o.maxLines * 2) / 3)),
      backoff: o.drainBackoff,
      onDelivered: o.counters?.drainDelivered,
      onDropped: o.counters?.drainDropped,
    });
    this.collector = o.hosts
      ? new LogCollector({
          hosts: o.hosts,
          engines: o.engines ?? new EngineClients(),
          cluster: o.cluster,
          store: this.store,
          events: this.events,
          redis: o.redis,
          keys: o.keys,
          log: o.log,
          rateLimit: new LogRateLimit({ linesPerSecond: o.linesPerSecond ?? 0 }),
          onLines: o.counters?.linesCollected,
          onCrash: o.counters?.crashed,
          ...(o.onProcessAbandoned ? { onAbandoned: (app: string) => o.onProcessAbandoned!(app) } : {}),
        })
      : undefined;
    this.leader = new LeaderLock({
      pool: o.pool,
      key: logLeaderLockKey,
      log: o.log,
      onAcquire: () => {
        o.log.info('leading log collection and drain delivery');
        this.collector?.start();
        this.drains.start();
      },
      onRelease: async () => {
        await this.collector?.stop();
        await this.drains.stop();
      },
    });
  }

  /** Competes for leadership; the leader collects and drains. */
  start(): void {
    this.leader.start();
  }

  async stop(): Promise<void> {
    await this.leader.stop();
  }

  /**
   * Deletes a destroyed app's log stream, and again a little later: its last processes' final lines
   * and exit events may still arrive after it is gone.
   */
  async forget(app: string): Promise<void> {
    await this.store.remove(app);
    setTimeout(() => void this.store.remove(app).catch(() => undefined), 10_000).unref();
  }

  /** A renamed app's stream goes with it (`paas rename`); what its old processes still print under the old name goes with forget. */
  async rename(from: string, to: string): Promise<void> {
    await this.store.rename(from, to);
  }

  /** A connection of its own for a tail's blocking reads. */
  reader(): Redis {
    return this.o.redis.duplicate();
  }

  /** The host monitor's news (hosts lost or back). */
  async hostsChanged(changed: { name: string; up: boolean }[]): Promise<void> {
    if (changed.length && this.collector) await this.collector.hostsChanged(changed);
  }
}

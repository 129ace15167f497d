import type Docker from 'dockerode';
import type { Redis } from 'ioredis';
import type { LogEntry, Logger, RedisKeys } from '@paas/shared';
import type { HostRow } from '../db/hosts.js';
import { ContainerFollower, type FollowTarget } from './container-follower.js';
import type { EngineClients } from './engine-clients.js';
import { HostEvents } from './host-events.js';
import type { LogStore } from './log-store.js';
import type { PlatformEvents } from './platform-events.js';
import type { LogRateLimit } from './log-rate-limit.js';

export interface LogCollectorOptions {
  /** The registered hosts (the runtime's view: status up or down). */
  hosts: () => HostRow[];
  engines: EngineClients;
  /** Label value scoping containers to this platform. */
  cluster: string;
  store: LogStore;
  events: PlatformEvents;
  redis: Redis;
  keys: RedisKeys;
  log: Logger;
  /** How often every host's containers are listed (new ones are also picked up from the engine's events). */
  scanIntervalMs?: number;
  /** Lines over a process's rate are dropped with a notice (absent: no limit). */
  rateLimit?: LogRateLimit;
  /** Counts lines stored. */
  onLines?: (n: number) => void;
  /** Counts crashes seen in the engines' events. */
  onCrash?: (app: string, process: string, host: string) => void;
  onAbandoned?: (app: string, process: string, host: string) => void;
}

interface HostState {
  name: string;
  docker: Docker;
  followers: Map<string, ContainerFollower>;
  /** Containers not running whose output has been read to its end (until they start again). */
  drained: Set<string>;
  /** Container id → timestamp of the last line stored, loaded from Redis once. */
  cursors: Map<string, string> | undefined;
  events: HostEvents;
  scanning: Promise<void> | undefined;
  rescan: boolean;
}

/**
 * Carries every platform process's output, on every host, into its app's log stream: follows each
 * container's stdout/stderr (reconnecting when the stream drops, resuming from the last stored
 * timestamp after a controller restart), picks up new containers from the engines' events and a
 * periodic listing, and turns container lifecycle events into `platform` lines. One controller runs
 * it at a time (see LeaderLock).
 */
export class LogCollector {
  private readonly states = new Map<string, HostState>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly o: LogCollectorOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = (): void => {
      this.scanAll()
        .catch((err: unknown) => this.o.log.warn({ err }, 'log collector scan failed'))
        .finally(() => {
          if (this.running) this.timer = setTimeout(tick, this.o.scanIntervalMs ?? 5000);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    for (const name of [...this.states.keys()]) this.dropHost(name);
  }

  /** Lists every up host now and follows what is not followed yet. */
  async scanAll(): Promise<void> {
    if (!this.running) return;
    const rows = this.o.hosts();
    const up = new Set(rows.filter((r) => r.status === 'up').map((r) => r.name));
    for (const name of this.states.keys()) if (!up.has(name)) this.dropHost(name);
    await Promise.all(rows.filter((r) => r.status === 'up').map((r) => this.scanHost(this.stateFor(r))));
  }

  /** The host monitor's news: a lost host's apps are told, and its followers stop (they resume when it is back). */
  async hostsChanged(changed: { name: string; up: boolean }[]): Promise<void> {
    for (const c of changed) {
      const state = this.states.get(c.name);
      if (c.up || !state) continue;
      const byApp = new Map<string, string[]>();
      for (const f of state.followers.values()) byApp.set(f.target.app, [...(byApp.get(f.target.app) ?? []), f.target.process]);
      this.dropHost(c.name);
      await Promise.all(
        [...byApp].map(([app, procs]) =>
          this.o.events.say(app, `Host ${c.name} lost: ${procs.sort().join(', ')} will be started on other hosts`),
        ),
      );
    }
    if (changed.some((c) => c.up)) await this.scanAll();
  }

  /** Containers followed now (for tests and metrics). */
  followed(): FollowTarget[] {
    return [...this.states.values()].flatMap((s) => [...s.followers.values()].map((f) => f.target));
  }

  private stateFor(row: HostRow): HostState {
    const docker = this.o.engines.for(row);
    let state = this.states.get(row.name);
    if (state && state.docker !== docker) {
      this.dropHost(row.name);
      state = undefined;
    }
    if (!state) {
      const s: HostState = {
        name: row.name,
        docker,
        followers: new Map(),
        drained: new Set(),
        cursors: undefined,
        scanning: undefined,
        rescan: false,
        events: new HostEvents({
          docker,
          host: row.name,
          cluster: this.o.cluster,
          events: this.o.events,
          log: this.o.log,
          onCrash: this.o.onCrash,
          onAbandoned: this.o.onAbandoned,
          onStart: (id) => {
            s.drained.delete(id);
            void this.scanHost(s);
          },
        }),
      };
      state = s;
      this.states.set(row.name, s);
      s.events.start();
    }
    return state;
  }

  private dropHost(name: string): void {
    const state = this.states.get(name);
    if (!state) return;
    this.states.delete(name);
    state.events.stop();
    for (const f of state.followers.values()) f.stop();
  }

  /** One listing of a host at a time; a request during one runs another right after. */
  private scanHost(state: HostState): Promise<void> {
    if (state.scanning) {
      state.rescan = true;
      return state.scanning;
    }
    state.scanning = (async () => {
      do {
        state.rescan = false;
        await this.listAndFollow(state).catch((err: unknown) =>
          this.o.log.warn({ host: state.name, err: (err as Error).message }, 'cannot list containers for logs'),
        );
      } while (state.rescan && this.states.get(state.name) === state);
    })().finally(() => {
      state.scanning = undefined;
    });
    return state.scanning;
  }

  private async listAndFollow(state: HostState): Promise<void> {
    // The processes of the docker-hosts runtime, and the tasks of the Swarm runtime's services on a node.
    const containers = (
      await state.docker.listContainers({
        all: true,
        filters: { label: [`paas.cluster=${this.o.cluster}`] },
      })
    ).filter((c) => c.Labels['paas.role'] === 'process' || c.Labels['paas.role'] === 'swarm-task');
    if (this.states.get(state.name) !== state) return;
    if (!state.cursors) {
      const stored = await this.o.redis.hgetall(this.o.keys.logCursors(state.name));
      state.cursors = new Map(Object.entries(stored));
    }
    const present = new Set(containers.map((c) => c.Id));
    for (const id of state.drained) if (!present.has(id)) state.drained.delete(id);
    const gone = [...state.cursors.keys()].filter((id) => !present.has(id) && !state.followers.has(id));
    if (gone.length) {
      for (const id of gone) {
        state.cursors.delete(id);
        this.o.rateLimit?.forget(id);
      }
      await this.o.redis.hdel(this.o.keys.logCursors(state.name), ...gone);
    }
    for (const c of containers) {
      if (state.followers.has(c.Id)) continue;
      const running = c.State === 'running';
      if (!running && state.drained.has(c.Id)) continue;
      const target: FollowTarget = { id: c.Id, app: c.Labels['paas.app'] ?? '', process: processOf(c.Labels), host: state.name };
      if (!target.app) continue;
      this.follow(state, target, running);
    }
  }

  private follow(state: HostState, target: FollowTarget, running: boolean): void {
    const follower = new ContainerFollower(state.docker, target, state.cursors?.get(target.id), this.write, this.o.log);
    state.followers.set(target.id, follower);
    follower
      .run()
      .catch((err: unknown) => this.o.log.warn({ app: target.app, process: target.process, err: (err as Error).message }, 'log follow failed'))
      .finally(() => {
        if (state.followers.get(target.id) === follower) state.followers.delete(target.id);
        if (follower.position) state.cursors?.set(target.id, follower.position);
        if (!running) state.drained.add(target.id);
        // The stream ended: the container stopped (its events say so) or the connection dropped; look again soon.
        if (this.running && this.states.get(state.name) === state) setTimeout(() => void this.scanHost(state), 1000).unref();
      });
  }

  private readonly write = async (target: FollowTarget, read: LogEntry[], cursor: string | undefined): Promise<void> => {
    // The cursor moves past dropped lines too: they are not read again.
    const lines = this.o.rateLimit ? this.o.rateLimit.admit(target.id, read) : read;
    await this.o.store.appendWithCursor(
      target.app,
      lines,
      cursor === undefined ? undefined : { key: this.o.keys.logCursors(target.host), field: target.id, value: cursor },
    );
    if (lines.length) this.o.onLines?.(lines.length);
  };
}

/** `web.2`: a process's label, or a Swarm task's type and slot (its task name is `<service>.<slot>.<task id>`). */
export function processOf(labels: Record<string, string>): string {
  if (labels['paas.role'] !== 'swarm-task') return labels['paas.process'] ?? 'app';
  const slot = /\.(\d+)\.[a-z0-9]+$/.exec(labels['com.docker.swarm.task.name'] ?? '')?.[1];
  return slot ? `${labels['paas.type'] ?? 'app'}.${slot}` : (labels['paas.type'] ?? 'app');
}

import { readFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';
import type { RedisKeys } from './redis-keys.js';

import type { ComponentStatus } from './api-contract/admin.js';

/** One platform process as `paas admin:status` shows it (the wire contract's type). */
export type { ComponentStatus };

/** scripts/supervisor.mjs's state file ($PAAS_HOME/run/supervisor.json). */
interface SupervisorFile {
  pid: number;
  host: string;
  version: string;
  startedAt: string;
  state: string;
  components: Array<{
    name: string;
    state: string;
    pid: number | null;
    restarts: number;
    version: string;
    startedAt: string | null;
    nextStartAt?: string | null;
    lastExit: { code: number | null; signal: string | null; at: string; uptimeMs: number } | null;
  }>;
}

export function supervisorStateFile(home: string): string {
  return `${home.replace(/\/+$/, '')}/run/supervisor.json`;
}

export function uptimeSeconds(startedAt: string | null, now: number): number | null {
  return startedAt ? Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000)) : null;
}

/** Whether a process with this pid runs on this machine (as any user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * This host's platform processes as its supervisor last wrote them: the supervisor itself first, then
 * each component. Undefined without a state file; a supervisor that is gone is `stopped` alone.
 */
export async function readSupervisorStatus(
  stateFile: string,
  opts: { now?: number; alive?: (pid: number) => boolean } = {},
): Promise<{ host: string; running: boolean; components: ComponentStatus[] } | undefined> {
  let file: SupervisorFile;
  try {
    file = JSON.parse(await readFile(stateFile, 'utf8')) as SupervisorFile;
  } catch {
    return undefined;
  }
  if (typeof file.pid !== 'number' || !Array.isArray(file.components)) return undefined;
  const now = opts.now ?? Date.now();
  const running = (opts.alive ?? pidAlive)(file.pid);
  const supervisor: ComponentStatus = {
    name: 'supervisor',
    host: file.host,
    state: running ? file.state : 'stopped',
    pid: running ? file.pid : null,
    restarts: 0,
    version: file.version,
    started_at: running ? file.startedAt : null,
    uptime_seconds: running ? uptimeSeconds(file.startedAt, now) : null,
    next_start_at: null,
    last_exit: null,
  };
  if (!running) return { host: file.host, running, components: [supervisor] };
  const components = file.components.map((c): ComponentStatus => {
    const up = c.state === 'running';
    return {
      name: c.name,
      host: file.host,
      state: c.state,
      pid: c.pid,
      restarts: c.restarts,
      version: c.version,
      started_at: up ? c.startedAt : null,
      uptime_seconds: up ? uptimeSeconds(c.startedAt, now) : null,
      next_start_at: c.nextStartAt ?? null,
      last_exit: c.lastExit ? { code: c.lastExit.code, signal: c.lastExit.signal, at: c.lastExit.at, uptime_ms: c.lastExit.uptimeMs } : null,
    };
  });
  return { host: file.host, running, components: [supervisor, ...components] };
}

export interface HostStatus {
  host: string;
  /** When its beacon last wrote it. */
  seenAt: string;
  components: ComponentStatus[];
}

/**
 * Every host's supervised processes in one Redis hash (host → JSON), written by each host's controller
 * and builder (SupervisorBeacon) and read by `GET /admin/status`.
 */
export class PlatformStatusBoard {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async publish(host: string, components: ComponentStatus[], now = Date.now()): Promise<void> {
    const entry: HostStatus = { host, seenAt: new Date(now).toISOString(), components };
    await this.redis.hset(this.keys.platformStatus, host, JSON.stringify(entry));
  }

  async list(): Promise<HostStatus[]> {
    const all = await this.redis.hgetall(this.keys.platformStatus);
    const hosts: HostStatus[] = [];
    for (const json of Object.values(all)) {
      try {
        const entry = JSON.parse(json) as HostStatus;
        if (typeof entry.host === 'string' && Array.isArray(entry.components)) hosts.push(entry);
      } catch {
        // not ours: skip
      }
    }
    return hosts.sort((a, b) => a.host.localeCompare(b.host));
  }
}

/** Publishes this host's supervisor state file to the board on a timer (every 10 s by default). */
export class SupervisorBeacon {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: { board: PlatformStatusBoard; stateFile: string; log: Logger; intervalMs?: number },
  ) {}

  start(): void {
    const tick = (): void => {
      void this.publishOnce()
        .catch((err: unknown) => this.o.log.debug({ err: (err as Error).message }, 'could not publish the supervisor state'))
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, this.o.intervalMs ?? 10_000).unref();
        });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  async publishOnce(): Promise<void> {
    const local = await readSupervisorStatus(this.o.stateFile);
    if (local) await this.o.board.publish(local.host, local.components);
  }
}

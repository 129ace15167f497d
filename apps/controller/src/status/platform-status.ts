import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';

/** One platform process as `paas admin:status` shows it. */
export interface ComponentStatus {
  name: string;
  host: string;
  /** `running`, `backoff` (waiting to be started again), `stopping`, `stopped`, or `unsupervised`. */
  state: string;
  pid: number | null;
  /** Times the supervisor started it again since the supervisor started. */
  restarts: number;
  version: string;
  started_at: string | null;
  uptime_seconds: number | null;
  /** When it is waiting in backoff: when it starts again. */
  next_start_at: string | null;
  last_exit: { code: number | null; signal: string | null; at: string; uptime_ms: number } | null;
}

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

export interface PlatformStatusOptions {
  /** The supervisor's state file (scripts/supervisor.mjs): $PAAS_HOME/run/supervisor.json. */
  stateFile: string;
  /** This controller's version and pid, for when no supervisor runs it (systemd, compose, tests). */
  version: string;
  pid?: number;
  startedAt?: Date;
  host?: string;
  now?: () => number;
  alive?: (pid: number) => boolean;
}

/**
 * The state of the platform's processes on this host, read from the supervisor's state file: each
 * component's state, restarts, version and uptime, and the supervisor's own. Without a supervisor
 * (or when it is gone) the controller reports itself.
 */
export class PlatformStatus {
  private readonly startedAt: Date;

  constructor(private readonly o: PlatformStatusOptions) {
    this.startedAt = o.startedAt ?? new Date();
  }

  async components(): Promise<ComponentStatus[]> {
    const now = this.o.now?.() ?? Date.now();
    const alive = this.o.alive ?? pidAlive;
    const uptime = (at: string | null): number | null => (at ? Math.max(0, Math.round((now - Date.parse(at)) / 1000)) : null);
    const file = await this.read();
    if (!file || !alive(file.pid)) {
      // No supervisor on this host: what this controller knows of itself.
      const self = this.self(uptime);
      return file ? [{ ...stoppedSupervisor(file), host: self.host }, self] : [self];
    }
    const supervisor: ComponentStatus = {
      name: 'supervisor',
      host: file.host,
      state: file.state,
      pid: file.pid,
      restarts: 0,
      version: file.version,
      started_at: file.startedAt,
      uptime_seconds: uptime(file.startedAt),
      next_start_at: null,
      last_exit: null,
    };
    const components = file.components.map((c): ComponentStatus => {
      const running = c.state === 'running';
      return {
        name: c.name,
        host: file.host,
        state: c.state,
        pid: c.pid,
        restarts: c.restarts,
        version: c.version,
        started_at: running ? c.startedAt : null,
        uptime_seconds: running ? uptime(c.startedAt) : null,
        next_start_at: c.nextStartAt ?? null,
        last_exit: c.lastExit ? { code: c.lastExit.code, signal: c.lastExit.signal, at: c.lastExit.at, uptime_ms: c.lastExit.uptimeMs } : null,
      };
    });
    return [supervisor, ...components];
  }

  private self(uptime: (at: string | null) => number | null): ComponentStatus {
    const at = this.startedAt.toISOString();
    return {
      name: 'controller',
      host: this.o.host ?? hostname(),
      state: 'unsupervised',
      pid: this.o.pid ?? process.pid,
      restarts: 0,
      version: this.o.version,
      started_at: at,
      uptime_seconds: uptime(at),
      next_start_at: null,
      last_exit: null,
    };
  }

  private async read(): Promise<SupervisorFile | undefined> {
    try {
      const file = JSON.parse(await readFile(this.o.stateFile, 'utf8')) as SupervisorFile;
      return typeof file.pid === 'number' && Array.isArray(file.components) ? file : undefined;
    } catch {
      return undefined;
    }
  }
}

function stoppedSupervisor(file: SupervisorFile): ComponentStatus {
  return {
    name: 'supervisor',
    host: file.host,
    state: 'stopped',
    pid: null,
    restarts: 0,
    version: file.version,
    started_at: null,
    uptime_seconds: null,
    next_start_at: null,
    last_exit: null,
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The platform's version: the checkout's package.json (the one the supervisor reports too). */
export async function platformVersion(): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

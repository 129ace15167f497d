import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { readSupervisorStatus, uptimeSeconds, type ComponentStatus, type PlatformStatusBoard } from '@paas/shared';

export type { ComponentStatus };

export interface PlatformStatusOptions {
  /** The supervisor's state file (scripts/supervisor.mjs): $PAAS_HOME/run/supervisor.json. */
  stateFile: string;
  /** This controller's version and pid, for when no supervisor runs it (systemd, compose, tests). */
  version: string;
  /** Other hosts' supervised processes, as their controllers and builders publish them. */
  board?: PlatformStatusBoard;
  /** A host silent for longer shows its processes as `unknown` (default 60 s). */
  staleMs?: number;
  pid?: number;
  startedAt?: Date;
  host?: string;
  now?: () => number;
  alive?: (pid: number) => boolean;
}

/**
 * The state of the platform's processes: this host's read from its supervisor's state file (each
 * component's state, restarts, version and uptime, and the supervisor's own), every other host's from
 * the board. Without a supervisor here (or when it is gone) the controller reports itself.
 */
export class PlatformStatus {
  private readonly startedAt: Date;

  constructor(private readonly o: PlatformStatusOptions) {
    this.startedAt = o.startedAt ?? new Date();
  }

  async components(): Promise<ComponentStatus[]> {
    const now = this.o.now?.() ?? Date.now();
    const local = await readSupervisorStatus(this.o.stateFile, { now, ...(this.o.alive ? { alive: this.o.alive } : {}) });
    const here = local?.running ? local.components : [...(local?.components ?? []), this.self(now)];
    const localHost = local?.host ?? this.o.host ?? hostname();
    const others = (await this.o.board?.list().catch(() => [])) ?? [];
    const elsewhere = others
      .filter((h) => h.host !== localHost)
      .flatMap((h) => {
        const silent = now - Date.parse(h.seenAt) > (this.o.staleMs ?? 60_000);
        return h.components.map((c): ComponentStatus =>
          silent
            ? { ...c, state: 'unknown', uptime_seconds: null }
            : { ...c, uptime_seconds: c.started_at ? uptimeSeconds(c.started_at, now) : null },
        );
      });
    return [...here, ...elsewhere];
  }

  private self(now: number): ComponentStatus {
    const at = this.startedAt.toISOString();
    return {
      name: 'controller',
      host: this.o.host ?? hostname(),
      state: 'unsupervised',
      pid: this.o.pid ?? process.pid,
      restarts: 0,
      version: this.o.version,
      started_at: at,
      uptime_seconds: uptimeSeconds(at, now),
      next_start_at: null,
      last_exit: null,
    };
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

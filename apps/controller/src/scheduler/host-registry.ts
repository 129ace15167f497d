import Docker from 'dockerode';
import type pg from 'pg';
import { dockerOptions, type Logger, type NetworkPool, type SecretBox } from '@paas/shared';
import { listHosts, setHostHealth, type HostRow } from '../db/hosts.js';
import { DockerHostBackend } from '../runtime/docker-host-backend.js';
import type { InternalNames } from '../runtime/internal-names.js';
import type { HardeningExceptions } from '../runtime/container-hardening.js';

export interface HostRegistryOptions {
  pool: pg.Pool;
  /** Label value scoping containers to this platform. */
  cluster: string;
  /** Where a unix-socket (local) host publishes ports; remote hosts publish on their own address. */
  localPublishAddress: string;
  /** PID limit of each app and one-off container. */
  pidsLimit?: number;
  /** Where the subnets of the apps' networks come from. */
  networkPool?: NetworkPool;
  /** Consecutive failed health checks before a host is marked down. */
  failuresBeforeDown: number;
  /** Service discovery: the internal names each app's containers resolve (none: no entries). */
  internal?: InternalNames;
  /** The operator's loosening of an app's container hardening. */
  exceptions?: (app: string) => Promise<HardeningExceptions | undefined>;
  /** The deadline of a call to a host's engine that gives none (DockerHostBackend's default unless given). */
  callTimeoutMs?: number;
  /** How long a health check waits for a host's engine. */
  pingTimeoutMs?: number;
  /** Called when what a host held may be gone: it went down, its engine changed, or it left the table. */
  onReset?: (host: string) => void;
  /** Opens the sealed TLS client keys of provisioned hosts ('host credentials'). */
  hostCredentials?: SecretBox;
  log: Logger;
}

/** A registered host: its row, its engine and the runtime backend on that engine. */
export interface HostMember {
  row: HostRow;
  docker: Docker;
  backend: DockerHostBackend;
  /** Consecutive failed health checks. */
  failures: number;
}

export interface HostHealthChange {
  name: string;
  up: boolean;
}

/**
 * How long any request to an engine may go without an answer (dockerode's socket timeout): an engine
 * that hangs (accepts, answers nothing) fails every call after this instead of holding it for ever.
 * Streams that carry data (logs, events, image transfers) are not cut while data flows.
 */
export const engineTimeoutMs = 120_000;

export function dockerFor(row: Pick<HostRow, 'docker_url' | 'tls'>, timeoutMs = engineTimeoutMs): Docker {
  const opts = dockerOptions(row.docker_url);
  if (row.tls?.cert && row.tls.key) {
    Object.assign(opts, { protocol: 'https', ca: row.tls.ca, cert: row.tls.cert, key: row.tls.key });
  }
  return new Docker({ ...opts, timeout: timeoutMs });
}

/**
 * The hosts of the `hosts` table as members: one Docker client and one `DockerHostBackend` per host,
 * kept across refreshes while its address does not change, and each host's health (a ping on a
 * timer, `checkHealth`; a host is down after `failuresBeforeDown` failures in a row, up again at its
 * first answer), written back to the table.
 */
export class HostRegistry {
  private members = new Map<string, HostMember>();

  constructor(private readonly o: HostRegistryOptions) {}

  /** Loads the host table; keeps the members (and their state) of hosts whose engine did not change. */
  async refresh(): Promise<HostRow[]> {
    const rows = (await listHosts(this.o.pool)).map((row) => this.opened(row));
    const next = new Map<string, HostMember>();
    for (const row of rows) {
      const old = this.members.get(row.name);
      if (old && old.row.docker_url === row.docker_url && old.row.address === row.address) {
        old.row = { ...row, status: old.row.status };
        next.set(row.name, old);
        continue;
      }
      next.set(row.name, this.member(row));
      if (old) this.o.onReset?.(row.name);
    }
    for (const name of this.members.keys()) if (!next.has(name)) this.o.onReset?.(name);
    this.members = next;
    return rows;
  }

  /** A provisioned host's row with its TLS client key opened (in memory only). */
  private opened(row: HostRow): HostRow {
    const sealed = row.tls?.key_sealed;
    if (!sealed || row.tls?.key) return row;
    if (!this.o.hostCredentials) return row;
    try {
      return { ...row, tls: { ...row.tls, key: this.o.hostCredentials.open(sealed, `host:${row.name}:tls-key`) } };
    } catch (err) {
      this.o.log.error({ host: row.name, err }, 'the host\'s TLS key does not open: its engine cannot be reached');
      return row;
    }
  }

  /** Loads the host table unless it was loaded before. */
  async loaded(): Promise<void> {
    if (this.members.size === 0) await this.refresh();
  }

  private member(row: HostRow): HostMember {
    const docker = dockerFor(row);
    const local = row.docker_url.startsWith('unix:') || row.docker_url === '';
    return {
      row,
      docker,
      failures: 0,
      backend: new DockerHostBackend({
        docker,
        hostName: row.name,
        publishAddress: local ? this.o.localPublishAddress : row.address,
        address: row.address,
        cluster: this.o.cluster,
        pidsLimit: this.o.pidsLimit,
        networkPool: this.o.networkPool,
        callTimeoutMs: this.o.callTimeoutMs,
        ...(this.o.internal ? { internal: this.o.internal } : {}),
        ...(this.o.exceptions ? { exceptions: this.o.exceptions } : {}),
        log: this.o.log,
      }),
    };
  }

  rows(): HostRow[] {
    return [...this.members.values()].map((m) => m.row);
  }

  get(name: string): HostMember | undefined {
    return this.members.get(name);
  }

  /** The members whose host is up. */
  up(): HostMember[] {
    return [...this.members.values()].filter((m) => m.row.status === 'up');
  }

  isDraining(name: string): boolean {
    return this.members.get(name)?.row.draining ?? false;
  }

  /** Pings every host (after a refresh); answers the hosts whose status changed. */
  async checkHealth(): Promise<HostHealthChange[]> {
    await this.refresh();
    const changed: HostHealthChange[] = [];
    await Promise.all(
      [...this.members.values()].map(async (m) => {
        let error: string | null = null;
        try {
          await m.backend.ping({ signal: AbortSignal.timeout(this.o.pingTimeoutMs ?? 3000) });
          m.failures = 0;
        } catch (err) {
          m.failures += 1;
          error = (err as Error).message;
        }
        const up = m.failures === 0 || (m.row.status === 'up' && m.failures < this.o.failuresBeforeDown);
        if ((m.row.status === 'up') !== up) {
          changed.push({ name: m.row.name, up });
          this.o.log.warn({ host: m.row.name, up, error }, up ? 'host is back' : 'host lost');
          if (!up) this.o.onReset?.(m.row.name);
        }
        m.row.status = up ? 'up' : 'down';
        await setHostHealth(this.o.pool, m.row.name, up, error);
      }),
    );
    return changed;
  }
}

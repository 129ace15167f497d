import Docker from 'dockerode';
import type pg from 'pg';
import { AppError, dockerOptions, type Logger, type NetworkPool } from '@paas/shared';
import { listHosts, setHostHealth, type HostRow } from '../db/hosts.js';
import { DockerHostBackend, pruneAppImages } from '../runtime/docker-host-backend.js';
import type { ProcessInfo, ProcessSpec, RuntimeBackend } from '../runtime/runtime-backend.js';
import type { AttachedOneOff, OneOffIo, OneOffRunner, OneOffSpec } from '../runtime/one-off.js';
import { transferImage } from '../runtime/image-transfer.js';
import { PlacementError, type PlacementRequest } from './placement.js';
import { PlacementIndex } from './placement-index.js';
import { SharedRefresh } from './shared-refresh.js';

export interface ClusterRuntimeOptions {
  pool: pg.Pool;
  /** Label value scoping containers to this platform. */
  cluster: string;
  /** The engine the builder builds images in: images are copied from it to hosts that lack them. */
  imageSource: Docker;
  /** Where a unix-socket (local) host publishes ports; remote hosts publish on their own address. */
  localPublishAddress: string;
  /** What placement reserves for a process without a memory limit. */
  defaultMemoryMb: number;
  /** PID limit of each app and one-off container. */
  pidsLimit?: number;
  /** Where the subnets of the apps' networks come from. */
  networkPool?: NetworkPool;
  /** Consecutive failed health checks before a host is marked down. */
  failuresBeforeDown: number;
  log: Logger;
}

/** A running one-off as placement counts it. */
interface OneOffLoad {
  id: string;
  app: string;
  memoryMb: number;
}

const runs = (p: ProcessInfo): boolean => p.state === 'up' || p.state === 'starting';

interface Member {
  row: HostRow;
  docker: Docker;
  backend: DockerHostBackend;
  failures: number;
  images: Set<string>;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
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
 * Every registered Docker host as one runtime: processes are placed by `PlacementIndex` (spread,
 * capacity, image locality), images are copied to a host before its first process of that image, and the
 * hosts' health is checked on a timer. Processes on hosts that are down are not listed, so the
 * reconcile loop replaces them elsewhere.
 */
export class ClusterRuntime implements RuntimeBackend, OneOffRunner {
  readonly hostName = 'cluster';
  private members = new Map<string, Member>();
  /** Container id → host name, learnt from list() and start(). */
  private readonly owner = new Map<string, string>();
  /** The last listing per host, kept current by start() and stop(): placement's view of load. */
  private readonly running = new Map<string, ProcessInfo[]>();
  /**
   * One-offs that run, per host: they reserve memory like any process (placement's load), though
   * they are not part of the formation. Kept by run*(), stop() and the listings.
   */
  private readonly oneOffsRunning = new Map<string, OneOffLoad[]>();

  constructor(private readonly o: ClusterRuntimeOptions) {}

  /** Loads the host table; keeps the state of hosts that did not change. */
  async refresh(): Promise<HostRow[]> {
    const rows = await listHosts(this.o.pool);
    const next = new Map<string, Member>();
    for (const row of rows) {
      const old = this.members.get(row.name);
      if (old && old.row.docker_url === row.docker_url && old.row.address === row.address) {
        old.row = { ...row, status: old.row.status };
        next.set(row.name, old);
        continue;
      }
      const docker = dockerFor(row);
      const local = row.docker_url.startsWith('unix:') || row.docker_url === '';
      next.set(row.name, {
        row,
        docker,
        failures: 0,
        images: new Set(),
        backend: new DockerHostBackend({
          docker,
          hostName: row.name,
          publishAddress: local ? this.o.localPublishAddress : row.address,
          address: row.address,
          cluster: this.o.cluster,
          pidsLimit: this.o.pidsLimit,
          networkPool: this.o.networkPool,
          log: this.o.log,
        }),
      });
    }
    this.members = next;
    return rows;
  }

  hosts(): HostRow[] {
    return [...this.members.values()].map((m) => m.row);
  }

  /** The engines of the hosts that are up (the host firewall reaches the remote ones through them). */
  engines(): { row: HostRow; docker: Docker }[] {
    return this.upMembers().map((m) => ({ row: m.row, docker: m.docker }));
  }

  /** Pings every host; marks a host down after consecutive failures and up again when it answers. Returns hosts whose status changed. */
  async checkHealth(): Promise<{ name: string; up: boolean }[]> {
    await this.refresh();
    const changed: { name: string; up: boolean }[] = [];
    await Promise.all(
      [...this.members.values()].map(async (m) => {
        let error: string | null = null;
        try {
          await withTimeout(m.docker.ping(), 3000, 'ping');
          m.failures = 0;
        } catch (err) {
          m.failures += 1;
          error = (err as Error).message;
        }
        const up = m.failures === 0 || (m.row.status === 'up' && m.failures < this.o.failuresBeforeDown);
        if ((m.row.status === 'up') !== up) {
          changed.push({ name: m.row.name, up });
          this.o.log.warn({ host: m.row.name, up, error }, up ? 'host is back' : 'host lost');
          if (!up) m.images.clear();
        }
        m.row.status = up ? 'up' : 'down';
        await setHostHealth(this.o.pool, m.row.name, up, error);
      }),
    );
    return changed;
  }

  private upMembers(): Member[] {
    return [...this.members.values()].filter((m) => m.row.status === 'up');
  }

  async ping(): Promise<void> {
    if (this.members.size === 0) await this.refresh();
    if (this.upMembers().length === 0) throw new AppError('unavailable', 'no Docker host is up');
  }

  /**
   * Placement's view of the hosts that are up: the formation processes of the last listings (spread
   * and load), the one-offs that run (load only: memory and count) and the images each host has.
   */
  private placementIndex(): PlacementIndex {
    const index = new PlacementIndex();
    for (const m of this.upMembers()) {
      const name = m.row.name;
      index.setHost({ name, schedulable: !m.row.draining, capacityMemoryMb: m.row.capacity_memory_mb });
      for (const p of this.running.get(name) ?? []) index.addProcess(name, p.app, p.memoryMb ?? this.o.defaultMemoryMb);
      for (const r of this.oneOffsRunning.get(name) ?? []) index.addLoad(name, r.memoryMb);
      for (const image of m.images) index.addImage(name, image);
    }
    return index;
  }

  /** Places one process and records it in `index`; an AppError when no host can take it. */
  private placeOne(index: PlacementIndex, req: Omit<PlacementRequest, 'count'>): string {
    try {
      const placed = index.place({ ...req, count: 1 });
      index.apply({ ...req, count: 1 }, placed);
      return placed[0]!;
    } catch (err) {
      if (err instanceof PlacementError) throw new AppError('unavailable', err.message, { retryable: true });
      throw err;
    }
  }

  async start(spec: ProcessSpec): Promise<ProcessInfo> {
    const [info] = await this.startMany([spec]);
    return info!;
  }

  /**
   * Places a batch of processes first (each placement sees the ones before it), then copies images
   * and starts the containers in parallel. Rejects with the first failure after the others settled;
   * what did start is kept in the listing so the caller can stop it.
   */
  async startMany(specs: ProcessSpec[]): Promise<ProcessInfo[]> {
    if (this.members.size === 0) await this.refresh();
    const index = this.placementIndex();
    const chosen = specs.map((spec) => this.placeOne(index, { app: spec.app, image: spec.image, memoryMb: spec.memoryMb ?? this.o.defaultMemoryMb }));
    const results = await Promise.allSettled(
      specs.map(async (spec, i) => {
        const m = this.members.get(chosen[i]!)!;
        await this.ensureImage(m, spec.image);
        const info = await m.backend.start(spec);
        this.owner.set(info.id, m.row.name);
        this.running.set(m.row.name, [...(this.running.get(m.row.name) ?? []), { ...info, memoryMb: spec.memoryMb }]);
        return info;
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      await Promise.all(started.map((p) => this.stop(p.id, 0).catch(() => undefined)));
      throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    }
    return results.map((r) => (r as PromiseFulfilledResult<ProcessInfo>).value);
  }

  /** One transfer per host and image at a time, however many processes wait for it. */
  private readonly transfers = new Map<string, Promise<void>>();

  private ensureImage(m: Member, image: string): Promise<void> {
    if (m.images.has(image)) return Promise.resolve();
    const key = `${m.row.name} ${image}`;
    let t = this.transfers.get(key);
    if (!t) {
      t = (async () => {
        try {
          await m.docker.getImage(image).inspect();
        } catch {
          this.o.log.info({ host: m.row.name, image }, 'copying image to host');
          await transferImage(this.o.imageSource, m.docker, image, { signal: AbortSignal.timeout(600_000) });
        }
        m.images.add(image);
      })().finally(() => this.transfers.delete(key));
      this.transfers.set(key, t);
    }
    return t;
  }

  async list(filter: { app?: string } = {}): Promise<ProcessInfo[]> {
    const all = await this.listAll();
    return all.filter((p) => !filter.app || p.app === filter.app);
  }

  /**
   * Every host's processes, from a listing that began after the call: booting web processes, the
   * reconcile of each app and the API all list at once, and share listings instead of each listing
   * every host.
   */
  private readonly listing = new SharedRefresh(() => this.listHosts());

  private listAll(): Promise<ProcessInfo[]> {
    return this.listing.get();
  }

  private async listHosts(): Promise<ProcessInfo[]> {
    if (this.members.size === 0) await this.refresh();
    const all = await Promise.all(
      this.upMembers().map(async (m) => {
        try {
          const [procs, oneOffs] = await Promise.all([
            withTimeout(m.backend.list(), 10_000, `listing ${m.row.name}`),
            withTimeout(m.backend.listOneOffs(), 10_000, `listing one-offs on ${m.row.name}`).catch(() => undefined),
          ]);
          this.running.set(m.row.name, procs);
          if (oneOffs) this.noteOneOffs(m.row.name, oneOffs);
          for (const p of procs) this.owner.set(p.id, m.row.name);
          return procs;
        } catch (err) {
          this.o.log.warn({ host: m.row.name, err: (err as Error).message }, 'cannot list host');
          return [];
        }
      }),
    );
    return all.flat();
  }

  private memberOf(id: string): Member | undefined {
    const host = this.owner.get(id);
    return host ? this.members.get(host) : undefined;
  }

  async stop(id: string, graceSeconds: number): Promise<void> {
    const m = this.memberOf(id);
    if (!m) return;
    await m.backend.stop(id, graceSeconds);
    this.owner.delete(id);
    this.running.set(m.row.name, (this.running.get(m.row.name) ?? []).filter((p) => p.id !== id));
    this.forgetOneOff(m.row.name, id);
  }

  /** Records the one-offs a listing of a host shows (all of them, or those of `app`) as its one-off load. */
  private noteOneOffs(host: string, listed: ProcessInfo[], app?: string): void {
    const kept = app === undefined ? [] : (this.oneOffsRunning.get(host) ?? []).filter((r) => r.app !== app);
    const running = listed.filter(runs).map((p) => ({ id: p.id, app: p.app, memoryMb: p.memoryMb ?? this.o.defaultMemoryMb }));
    this.oneOffsRunning.set(host, [...kept, ...running]);
  }

  private addOneOff(host: string, info: ProcessInfo, memoryMb: number | undefined): void {
    const load = { id: info.id, app: info.app, memoryMb: memoryMb ?? this.o.defaultMemoryMb };
    this.oneOffsRunning.set(host, [...(this.oneOffsRunning.get(host) ?? []).filter((r) => r.id !== info.id), load]);
  }

  private forgetOneOff(host: string, id: string): void {
    const list = this.oneOffsRunning.get(host);
    if (list?.some((r) => r.id === id)) this.oneOffsRunning.set(host, list.filter((r) => r.id !== id));
  }

  async logs(id: string, lines: number): Promise<string> {
    const m = this.memberOf(id);
    return m ? m.backend.logs(id, lines) : '';
  }

  /**
   * On every host that answers, then on the engine images come from (the builder's). That engine is
   * usually the local host's: going after the hosts, it finds nothing left to remove there, instead of
   * racing the host's own prune over the same images.
   */
  async pruneImages(app: string, keep: ReadonlySet<string>): Promise<number> {
    const counts = await Promise.all(this.upMembers().map((m) => m.backend.pruneImages(app, keep)));
    const atSource = await pruneAppImages(this.o.imageSource, this.o.cluster, app, keep, this.o.log);
    return counts.reduce((a, b) => a + b, atSource);
  }

  async removeAppResources(app: string): Promise<void> {
    await Promise.all(this.upMembers().map((m) => m.backend.removeAppResources(app)));
  }

  /** Processes running on one host (for drain and remove). */
  async listOn(host: string): Promise<ProcessInfo[]> {
    const m = this.members.get(host);
    return m ? m.backend.list() : [];
  }

  /** A one-off goes where a process of its app would (placement), with the image copied there first. */
  private async oneOffHost(spec: OneOffSpec): Promise<Member> {
    if (this.members.size === 0) await this.refresh();
    const hostName = this.placeOne(this.placementIndex(), { app: spec.app, image: spec.image, memoryMb: spec.memoryMb ?? this.o.defaultMemoryMb });
    const m = this.members.get(hostName)!;
    await this.ensureImage(m, spec.image);
    return m;
  }

  async runAttached(spec: OneOffSpec, io: OneOffIo): Promise<AttachedOneOff> {
    const m = await this.oneOffHost(spec);
    const attached = await m.backend.runAttached(spec, io);
    this.owner.set(attached.info.id, m.row.name);
    this.addOneOff(m.row.name, attached.info, spec.memoryMb);
    void attached.exit
      .finally(() => {
        this.owner.delete(attached.info.id);
        this.forgetOneOff(m.row.name, attached.info.id);
      })
      .catch(() => undefined);
    return attached;
  }

  async runDetached(spec: OneOffSpec): Promise<ProcessInfo> {
    const m = await this.oneOffHost(spec);
    const info = await m.backend.runDetached(spec);
    this.owner.set(info.id, m.row.name);
    if (runs(info)) this.addOneOff(m.row.name, info, spec.memoryMb);
    return info;
  }

  async listOneOffs(filter: { app?: string } = {}): Promise<ProcessInfo[]> {
    if (this.members.size === 0) await this.refresh();
    const all = await Promise.all(
      this.upMembers().map(async (m) => {
        try {
          const procs = await withTimeout(m.backend.listOneOffs(filter), 10_000, `listing one-offs on ${m.row.name}`);
          for (const p of procs) this.owner.set(p.id, m.row.name);
          this.noteOneOffs(m.row.name, procs, filter.app);
          return procs;
        } catch (err) {
          this.o.log.warn({ host: m.row.name, err: (err as Error).message }, 'cannot list one-offs on host');
          return [];
        }
      }),
    );
    return all.flat();
  }

  isDraining(host: string): boolean {
    return this.members.get(host)?.row.draining ?? false;
  }
}

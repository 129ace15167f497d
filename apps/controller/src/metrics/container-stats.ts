import type Docker from 'dockerode';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '@paas/shared';
import type { HostRow } from '../db/hosts.js';
import type { EngineClients } from '../logs/engine-clients.js';

export interface ContainerStatsOptions {
  hosts: () => HostRow[];
  engines: EngineClients;
  cluster: string;
  registry: Registry;
  intervalMs: number;
  log: Logger;
  /** Containers read at once per host. */
  concurrency?: number;
}

/** One container's latest sample. */
export interface ContainerUsage {
  cpu_percent: number | null;
  memory_mb: number | null;
}

interface Sample {
  app: string;
  process: string;
  host: string;
  cpuTotal: number;
  systemTotal: number;
  onlineCpus: number;
  cpuPercent: number | null;
  memoryBytes: number;
  memoryLimitBytes: number;
  restarts: number;
}

type Labels = 'app' | 'process' | 'host';

/**
 * Per-container CPU, memory and restarts from the engines' stats API (one-shot `stats` and
 * `inspect` of each platform container on each up host, on a timer), labelled by app, process and
 * host, and as the latest figures for `paas ps`. CPU and restarts are the engine's own running totals,
 * exported as counters (`paas_container_cpu_seconds_total`, `paas_container_restarts_total`: use
 * `rate()`/`increase()`; a replaced container starts again from 0, which Prometheus reads as a
 * counter reset); memory is a gauge. `paas ps` shows CPU as the share of one core used between two
 * samples (100 = one core), as `docker stats` does.
 */
export class ContainerStats {
  private readonly cpu: Counter<Labels>;
  private readonly memory: Gauge<Labels>;
  private readonly limit: Gauge<Labels>;
  private readonly restarts: Counter<Labels>;
  private samples = new Map<string, Sample>();
  /** Each app's memory (all its processes, MB) at each round of the last hour: the console's chart. */
  private readonly memoryRounds: { t: number; byApp: Map<string, number> }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly o: ContainerStatsOptions) {
    const registers = [o.registry];
    const labelNames: Labels[] = ['app', 'process', 'host'];
    this.cpu = new Counter({ name: 'paas_container_cpu_seconds_total', help: 'CPU time the process has used (all cores), as its engine counts it.', labelNames, registers });
    this.memory = new Gauge({ name: 'paas_container_memory_bytes', help: 'Memory used by the process (without the page cache).', labelNames, registers });
    this.limit = new Gauge({ name: 'paas_container_memory_limit_bytes', help: "The process's memory limit (the host's memory when it has none).", labelNames, registers });
    this.restarts = new Counter({ name: 'paas_container_restarts_total', help: 'Times the engine restarted the process after it exited.', labelNames, registers });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = (): void => {
      this.sampleOnce()
        .catch((err: unknown) => this.o.log.warn({ err }, 'container stats failed'))
        .finally(() => {
          if (this.running) {
            this.timer = setTimeout(tick, this.o.intervalMs);
            this.timer.unref();
          }
        });
    };
    tick();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  /** The latest figures for a container; nulls before its first samples. */
  usage(containerId: string): ContainerUsage {
    const s = this.samples.get(containerId);
    if (!s) return { cpu_percent: null, memory_mb: null };
    return {
      cpu_percent: s.cpuPercent === null ? null : Math.round(s.cpuPercent * 10) / 10,
      memory_mb: Math.round((s.memoryBytes / 1024 / 1024) * 10) / 10,
    };
  }

  /** An app's memory over the last hour, one point a sampling round (oldest first). */
  memoryHistory(app: string): { t: number; mb: number }[] {
    return this.memoryRounds.filter((r) => r.byApp.has(app)).map((r) => ({ t: r.t, mb: Math.round(r.byApp.get(app)! * 10) / 10 }));
  }

  private keepMemoryRound(samples: Map<string, Sample>): void {
    const byApp = new Map<string, number>();
    for (const s of samples.values()) byApp.set(s.app, (byApp.get(s.app) ?? 0) + s.memoryBytes / 1024 / 1024);
    const now = Date.now();
    this.memoryRounds.push({ t: now, byApp });
    while (this.memoryRounds.length > 0 && this.memoryRounds[0]!.t < now - 3600_000) this.memoryRounds.shift();
  }

  /** Samples every platform container on every up host, then replaces the gauges' series in one step. */
  async sampleOnce(): Promise<void> {
    const next = new Map<string, Sample>();
    await Promise.all(
      this.o
        .hosts()
        .filter((h) => h.status === 'up')
        .map(async (h) => {
          try {
            await this.sampleHost(h.name, this.o.engines.for(h), next);
          } catch (err) {
            this.o.log.debug({ host: h.name, err: (err as Error).message }, 'cannot sample host');
            // Keep the host's last figures rather than report it empty for one failed round.
            for (const [id, s] of this.samples) if (s.host === h.name && !next.has(id)) next.set(id, s);
          }
        }),
    );
    this.samples = next;
    this.keepMemoryRound(next);
    for (const g of [this.cpu, this.memory, this.limit, this.restarts]) g.reset();
    for (const s of next.values()) {
      const labels = { app: s.app, process: s.process, host: s.host };
      // The engine's totals, mirrored: the series were reset above, so inc sets them.
      this.cpu.inc(labels, s.cpuTotal / 1e9);
      this.memory.set(labels, s.memoryBytes);
      if (s.memoryLimitBytes > 0) this.limit.set(labels, s.memoryLimitBytes);
      this.restarts.inc(labels, s.restarts);
    }
  }

  private async sampleHost(host: string, docker: Docker, into: Map<string, Sample>): Promise<void> {
    const containers = await docker.listContainers({
      filters: { label: [`paas.cluster=${this.o.cluster}`, 'paas.role=process'], status: ['running'] },
    });
    const queue = [...containers];
    const worker = async (): Promise<void> => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const id = c.Id;
        try {
          const container = docker.getContainer(id);
          const [stats, info] = await Promise.all([container.stats({ stream: false, 'one-shot': true }), container.inspect()]);
          const prev = this.samples.get(id);
          const cpuTotal = stats.cpu_stats?.cpu_usage?.total_usage ?? 0;
          const systemTotal = stats.cpu_stats?.system_cpu_usage ?? 0;
          const onlineCpus = stats.cpu_stats?.online_cpus || stats.cpu_stats?.cpu_usage?.percpu_usage?.length || 1;
          let cpuPercent: number | null = null;
          if (prev && systemTotal > prev.systemTotal && cpuTotal >= prev.cpuTotal) {
            cpuPercent = ((cpuTotal - prev.cpuTotal) / (systemTotal - prev.systemTotal)) * onlineCpus * 100;
          }
          const mem = stats.memory_stats as { usage?: number; limit?: number; stats?: Record<string, number> } | undefined;
          const cache = mem?.stats?.['inactive_file'] ?? mem?.stats?.['total_inactive_file'] ?? mem?.stats?.['cache'] ?? 0;
          into.set(id, {
            app: c.Labels['paas.app'] ?? '',
            process: c.Labels['paas.process'] ?? '',
            host,
            cpuTotal,
            systemTotal,
            onlineCpus,
            cpuPercent,
            memoryBytes: Math.max(0, (mem?.usage ?? 0) - cache),
            memoryLimitBytes: mem?.limit ?? 0,
            restarts: info.RestartCount ?? 0,
          });
        } catch {
          // gone between the listing and the stats: nothing to report
        }
      }
    };
    await Promise.all(Array.from({ length: this.o.concurrency ?? 8 }, worker));
  }
}

import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ContainerStats, ContainerUsage } from './container-stats.js';

const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const deployBuckets = [5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900];

/** How a push ended: serving, its build failed, its release did not boot, or refused before building. */
export type DeployOutcome = 'succeeded' | 'build_failed' | 'release_failed' | 'refused';

export interface ControllerMetricsSources {
  /** PAAS_METRICS_TOKEN: a bearer token for Prometheus that opens /metrics and nothing else. */
  token?: string | undefined;
  /** BullMQ's job counts of the build queue (waiting, active, …). */
  queueCounts?: () => Promise<Record<string, number>>;
  /** Log tails open on this controller and the bytes their sockets have not taken yet. */
  tails?: () => { count: number; bufferedBytes: number };
}

/**
 * The controller's Prometheus metrics, in a registry of its own: HTTP requests (count and latency
 * histogram by route), deploys (git push to serving: duration and outcome; the builds themselves
 * are the builder's metrics), the build queue's depth, reconcile passes,
 * log lines and drains, per-container CPU, memory and restarts (container-stats.ts registers those),
 * and Node's process metrics.
 */
export class ControllerMetrics {
  readonly registry = new Registry();
  /** The per-container sampler, once main.ts starts one. */
  containers: ContainerStats | undefined;
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route'>;
  private readonly deployDuration: Histogram<'outcome'>;
  private readonly deploys: Counter<'outcome'>;
  private readonly reconcileDuration: Histogram;
  private readonly logLines: Counter;
  private readonly drainLines: Counter<'result'>;
  private readonly crashes: Counter<'app' | 'process' | 'host'>;

  readonly token: string | undefined;

  constructor(sources: ControllerMetricsSources = {}) {
    this.token = sources.token;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'paas_controller_' });
    this.requests = new Counter({
      name: 'paas_http_requests_total',
      help: 'API and git requests answered, by method, route and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'paas_http_request_duration_seconds',
      help: 'Time to answer API and git requests (log tails: how long they stayed open).',
      labelNames: ['method', 'route'],
      buckets: durationBuckets,
      registers,
    });
    this.deployDuration = new Histogram({
      name: 'paas_deploy_duration_seconds',
      help: 'From git push to the release serving (or the push refused), by outcome.',
      labelNames: ['outcome'],
      buckets: deployBuckets,
      registers,
    });
    this.deploys = new Counter({
      name: 'paas_deploys_total',
      help: 'Git pushes by outcome: succeeded, build_failed, release_failed or refused.',
      labelNames: ['outcome'],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: 'paas_reconcile_duration_seconds',
      help: 'One reconcile pass over every app.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.logLines = new Counter({ name: 'paas_log_lines_collected_total', help: 'Process output lines carried into app log streams.', registers });
    this.drainLines = new Counter({
      name: 'paas_log_drain_lines_total',
      help: 'Lines drains delivered, or dropped because a drain fell too far behind.',
      labelNames: ['result'],
      registers,
    });
    this.crashes = new Counter({
      name: 'paas_container_crashes_total',
      help: 'Processes that died while they should have been running.',
      labelNames: ['app', 'process', 'host'],
      registers,
    });
    const queueCounts = sources.queueCounts;
    if (queueCounts) {
      new Gauge({
        name: 'paas_build_queue_jobs',
        help: 'Build jobs in the queue, by state.',
        labelNames: ['state'],
        registers,
        async collect() {
          const counts = await queueCounts().catch(() => ({}) as Record<string, number>);
          for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
        },
      });
    }
    const tails = sources.tails;
    if (tails) {
      new Gauge({ name: 'paas_log_tails', help: 'Log tails open on this controller.', registers, collect() { this.set(tails().count); } });
      new Gauge({
        name: 'paas_log_tail_buffered_bytes',
        help: 'Bytes written to log tail clients that their sockets have not taken yet.',
        registers,
        collect() {
          this.set(tails().bufferedBytes);
        },
      });
    }
  }

  /** Counts and times every request, labelled by its route pattern (not its path: apps are not labels). */
  httpMiddleware(): RequestHandler {
    return (req, res, next) => {
      const end = this.latency.startTimer();
      res.on('close', () => {
        const pattern = (req.route as { path?: string } | undefined)?.path;
        const route = pattern ? `${req.baseUrl}${pattern}` : /\.git(\/|$)/.test(req.path) ? '/:app.git' : 'unmatched';
        this.requests.inc({ method: req.method, route, status: String(res.statusCode) });
        end({ method: req.method, route });
      });
      next();
    };
  }

  deployed(outcome: DeployOutcome, seconds: number): void {
    this.deploys.inc({ outcome });
    this.deployDuration.observe({ outcome }, seconds);
  }

  reconciled(seconds: number): void {
    this.reconcileDuration.observe(seconds);
  }

  linesCollected(n: number): void {
    this.logLines.inc(n);
  }

  drainDelivered(n: number): void {
    this.drainLines.inc({ result: 'delivered' }, n);
  }

  drainDropped(n: number): void {
    this.drainLines.inc({ result: 'dropped' }, n);
  }

  crashed(app: string, process: string, host: string): void {
    this.crashes.inc({ app, process, host });
  }

  /** A container's latest CPU and memory, when containers are sampled. */
  usage(containerId: string): ContainerUsage | undefined {
    return this.containers?.usage(containerId);
  }

  /** An app's memory over the last hour (when containers are sampled). */
  memoryHistory(app: string): { t: number; mb: number }[] {
    return this.containers?.memoryHistory(app) ?? [];
  }

  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}

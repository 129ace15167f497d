import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Worker } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The builder's Prometheus metrics, served as `GET /metrics` on its health port: builds by outcome,
 * their durations (histogram, from taking the job to its end) and the builds running now. These are
 * the platform's only build metrics (the controller counts deploys: push to serving).
 */
export class BuilderMetrics {
  readonly registry = new Registry();
  private readonly duration: Histogram<'outcome'>;
  private readonly builds: Counter<'outcome'>;
  private readonly active: Gauge;
  private readonly started = new Map<string, number>();

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'paas_builder_' });
    this.duration = new Histogram({
      name: 'paas_build_duration_seconds',
      help: 'Time from taking a build job to its end, by outcome.',
      labelNames: ['outcome'],
      buckets: [5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900],
      registers,
    });
    this.builds = new Counter({ name: 'paas_builds_total', help: 'Builds run, by outcome.', labelNames: ['outcome'], registers });
    this.active = new Gauge({ name: 'paas_builds_active', help: 'Builds running now.', registers });
  }

  /** Counts the worker's jobs: active, then completed (succeeded) or failed. */
  watch(worker: Worker): void {
    worker.on('active', (job) => {
      if (!job.id || this.started.has(job.id)) return;
      this.started.set(job.id, performance.now());
      this.active.inc();
    });
    const end = (id: string | undefined, outcome: 'succeeded' | 'failed'): void => {
      const at = id === undefined ? undefined : this.started.get(id);
      if (at === undefined) return;
      this.started.delete(id!);
      this.active.dec();
      this.builds.inc({ outcome });
      this.duration.observe({ outcome }, (performance.now() - at) / 1000);
    };
    worker.on('completed', (job) => end(job.id, 'succeeded'));
    worker.on('failed', (job) => end(job?.id, 'failed'));
  }

  /** Answers `GET /metrics`; false for any other request. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') return false;
    this.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' }).end(text),
      (err: unknown) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${(err as Error).message}\n`),
    );
    return true;
  }
}

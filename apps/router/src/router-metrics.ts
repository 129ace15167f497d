import { Gauge, Registry } from 'prom-client';
import { AppLabels } from './app-labels.js';
import { FastCounter } from './fast-counter.js';
import { FastHistogram } from './fast-histogram.js';

const classes = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** Distinct `app` label values before the rest are counted as `_other` (AppLabels). */
export const defaultMaxAppLabels = 200;

export interface RouterMetricsSources {
  /** Apps in the route table. */
  routes: () => number;
  /** Backends ejected for failing. */
  ejectedBackends: () => number;
  /** Open websocket (and other upgrade) tunnels. */
  tunnels: () => number;
  /** Apps with series of their own in the per-request metrics (default 200); the rest are `_other`. */
  maxAppLabels?: number;
}

/**
 * The router's Prometheus metrics, in a registry of their own: requests by app and status class, time
 * to the backend's response head by app (histogram), upstream errors by code, open client
 * connections. The `app` label is bounded (AppLabels). The per-request ones are plain typed-array
 * counters read at scrape time (FastCounter, FastHistogram): counting a request is a map lookup, an
 * array lookup and an addition.
 */
export class RouterMetrics {
  readonly registry = new Registry();
  private readonly requests: FastCounter;
  private readonly latency: FastHistogram;
  private readonly errors: FastCounter;
  private readonly connections: Gauge;
  private readonly apps: AppLabels;
  /** The requests counter's slot of (app index, status class), at `app * 5 + class`. */
  private readonly requestSlots: number[] = [];
  /** The latency histogram's slot of an app index. */
  private readonly latencySlots: number[] = [];

  constructor(sources: RouterMetricsSources) {
    const registers = [this.registry];
    this.apps = new AppLabels(sources.maxAppLabels ?? defaultMaxAppLabels);
    this.requests = new FastCounter({
      name: 'paas_router_requests_total',
      help: 'Requests answered, by app and status class (app _none: no app answered; _other: apps past the label cap).',
      labelNames: ['app', 'code_class'],
      registers,
    });
    this.latency = new FastHistogram({
      name: 'paas_router_upstream_latency_seconds',
      help: 'Time from sending a request to a backend to its response head, by app.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      labelName: 'app',
      registers,
    });
    this.errors = new FastCounter({ name: 'paas_router_upstream_errors_total', help: 'Requests the router answered itself because of a backend, by code.', labelNames: ['code'], registers });
    this.connections = new Gauge({ name: 'paas_router_active_connections', help: 'Open client connections (HTTP and HTTPS).', registers });
    new Gauge({ name: 'paas_router_tunnels', help: 'Open websocket and other upgraded connections.', registers, collect() { this.set(sources.tunnels()); } });
    new Gauge({ name: 'paas_router_backends_ejected', help: 'Backends left out after failed connections.', registers, collect() { this.set(sources.ejectedBackends()); } });
    // Every worker holds the whole table: the max across workers is the table's size, not the sum.
    new Gauge({ name: 'paas_router_routes', help: 'Apps in the route table.', registers, aggregator: 'max', collect() { this.set(sources.routes()); } });
  }

  /** A request answered with `status`, for `app` (undefined: no app answered it). */
  request(status: number, app?: string): void {
    const c = Math.floor(status / 100) - 1;
    if (c < 0 || c >= classes.length) return;
    const a = this.apps.of(app);
    const at = a * classes.length + c;
    let slot = this.requestSlots[at];
    if (slot === undefined) slot = this.requestSlots[at] = this.requests.slot(this.apps.values[a]!, classes[c]!);
    this.requests.incAt(slot);
  }

  upstreamLatency(ms: number, app?: string): void {
    const a = this.apps.of(app);
    let slot = this.latencySlots[a];
    if (slot === undefined) slot = this.latencySlots[a] = this.latency.slot(this.apps.values[a]!);
    this.latency.observeAt(slot, ms / 1000);
  }

  upstreamError(code: string): void {
    this.errors.inc(code);
  }

  connectionOpened(): void {
    this.connections.inc();
  }

  connectionClosed(): void {
    this.connections.dec();
  }
}

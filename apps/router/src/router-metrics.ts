import { Gauge, Registry } from 'prom-client';
import { FastCounter } from './fast-counter.js';
import { FastHistogram } from './fast-histogram.js';

const classes = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

export interface RouterMetricsSources {
  /** Apps in the route table. */
  routes: () => number;
  /** Backends ejected for failing. */
  ejectedBackends: () => number;
  /** Open websocket (and other upgrade) tunnels. */
  tunnels: () => number;
}

/**
 * The router's Prometheus metrics, in a registry of their own: requests by status class, time to the
 * backend's response head (histogram), upstream errors by code, open client connections. The
 * per-request ones are plain typed-array counters read at scrape time (FastCounter, FastHistogram):
 * counting a request is an array lookup and an addition.
 */
export class RouterMetrics {
  readonly registry = new Registry();
  private readonly requests: FastCounter;
  private readonly latency: FastHistogram;
  private readonly errors: FastCounter;
  private readonly connections: Gauge;

  constructor(sources: RouterMetricsSources) {
    const registers = [this.registry];
    // Slots 0-4 are the classes 1xx-5xx.
    this.requests = new FastCounter({ name: 'paas_router_requests_total', help: 'Requests answered, by status class.', labelName: 'code_class', labelValues: classes, registers });
    this.latency = new FastHistogram({
      name: 'paas_router_upstream_latency_seconds',
      help: 'Time from sending a request to a backend to its response head.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.errors = new FastCounter({ name: 'paas_router_upstream_errors_total', help: 'Requests the router answered itself because of a backend, by code.', labelName: 'code', registers });
    this.connections = new Gauge({ name: 'paas_router_active_connections', help: 'Open client connections (HTTP and HTTPS).', registers });
    new Gauge({ name: 'paas_router_tunnels', help: 'Open websocket and other upgraded connections.', registers, collect() { this.set(sources.tunnels()); } });
    new Gauge({ name: 'paas_router_backends_ejected', help: 'Backends left out after failed connections.', registers, collect() { this.set(sources.ejectedBackends()); } });
    // Every worker holds the whole table: the max across workers is the table's size, not the sum.
    new Gauge({ name: 'paas_router_routes', help: 'Apps in the route table.', registers, aggregator: 'max', collect() { this.set(sources.routes()); } });
  }

  request(status: number): void {
    const c = Math.floor(status / 100) - 1;
    if (c >= 0 && c < classes.length) this.requests.incAt(c);
  }

  upstreamLatency(ms: number): void {
    this.latency.observe(ms / 1000);
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

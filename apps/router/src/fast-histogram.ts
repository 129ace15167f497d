import type { Registry } from 'prom-client';

export interface FastHistogramOptions {
  name: string;
  help: string;
  /** Upper bounds of the buckets, ascending (`+Inf` is added). */
  buckets: number[];
  registers: Registry[];
}

/**
 * A label-less Prometheus histogram for the hot path: `observe` is a bucket search and three
 * additions into typed arrays (prom-client's Histogram allocates and hashes labels on every call,
 * about a microsecond per request). It registers itself as a prom-client metric (the `get()` shape
 * its registries and the cluster's AggregatorRegistry read), so the text output is the same.
 */
export class FastHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly bounds: Float64Array;
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(options: FastHistogramOptions) {
    this.name = options.name;
    this.help = options.help;
    this.bounds = Float64Array.from([...options.buckets].sort((a, b) => a - b));
    this.counts = new Float64Array(this.bounds.length);
    for (const r of options.registers) r.registerMetric(this as never);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        this.counts[i]!++;
        break;
      }
    }
    this.sum += value;
    this.count++;
  }

  /** The metric as prom-client's registries read it (cumulative buckets, then sum and count). */
  get(): { name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: { labels: Record<string, string | number>; value: number; metricName: string }[] } {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    let cumulative = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      cumulative += this.counts[i]!;
      values.push({ labels: { le: this.bounds[i]! }, value: cumulative, metricName: `${this.name}_bucket` });
    }
    values.push({ labels: { le: '+Inf' }, value: this.count, metricName: `${this.name}_bucket` });
    values.push({ labels: {}, value: this.sum, metricName: `${this.name}_sum` });
    values.push({ labels: {}, value: this.count, metricName: `${this.name}_count` });
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

import type { Registry } from 'prom-client';

export interface FastHistogramOptions {
  name: string;
  help: string;
  /** Upper bounds of the buckets, ascending (`+Inf` is added). */
  buckets: number[];
  /** The one label the histogram is split by (none: one series). */
  labelName?: string;
  registers: Registry[];
}

interface Series {
  labels: Record<string, string>;
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram for the hot path, with at most one label: `observeAt` is a bucket search and
 * three additions into typed arrays at a slot looked up once per label value (prom-client's Histogram
 * allocates and hashes labels on every call, about a microsecond per request). It registers itself
 * as a prom-client metric (the `get()` shape its registries and the cluster's AggregatorRegistry
 * read), so the text output is the same.
 */
export class FastHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly bounds: Float64Array;
  private readonly labelName: string | undefined;
  private readonly series: Series[] = [];
  private readonly slots = new Map<string, number>();

  constructor(options: FastHistogramOptions) {
    this.name = options.name;
    this.help = options.help;
    this.labelName = options.labelName;
    this.bounds = Float64Array.from([...options.buckets].sort((a, b) => a - b));
    if (this.labelName === undefined) this.series.push(this.newSeries({}));
    for (const r of options.registers) r.registerMetric(this as never);
  }

  /** The slot of a label value (made on first use), for `observeAt`. */
  slot(value: string): number {
    if (this.labelName === undefined) return 0;
    let i = this.slots.get(value);
    if (i !== undefined) return i;
    i = this.series.length;
    this.series.push(this.newSeries({ [this.labelName]: value }));
    this.slots.set(value, i);
    return i;
  }

  /** Observes into the label-less series (or the first label value's). */
  observe(value: number): void {
    this.observeAt(0, value);
  }

  observeAt(slot: number, value: number): void {
    const s = this.series[slot];
    if (!s) return;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        s.counts[i]!++;
        break;
      }
    }
    s.sum += value;
    s.count++;
  }

  /** The metric as prom-client's registries read it (per series: cumulative buckets, then sum and count). */
  get(): { name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: { labels: Record<string, string | number>; value: number; metricName: string }[] } {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const s of this.series) {
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += s.counts[i]!;
        values.push({ labels: { ...s.labels, le: this.bounds[i]! }, value: cumulative, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }

  reset(): void {
    for (const s of this.series) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }

  private newSeries(labels: Record<string, string>): Series {
    return { labels, counts: new Float64Array(this.bounds.length), sum: 0, count: 0 };
  }
}

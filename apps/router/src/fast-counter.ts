import type { Registry } from 'prom-client';

export interface FastCounterOptions {
  name: string;
  help: string;
  /** The labels the counter is split by (one or more). */
  labelNames: readonly string[];
  /** Label value tuples shown (at 0) from the start; others appear once counted. */
  labelValues?: readonly (readonly string[])[];
  registers: Registry[];
}

/**
 * A Prometheus counter for the hot path: counting is an addition into a typed array at a slot looked
 * up once per label values (prom-client's Counter hashes its labels on every `inc`). It registers
 * itself as a prom-client metric (the `get()` shape its registries and the cluster's
 * AggregatorRegistry read), so the text output is the same; the values are read at scrape time.
 */
export class FastCounter {
  readonly type = 'counter';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly labelNames: readonly string[];
  private readonly labelValues: (readonly string[])[] = [];
  private readonly slots = new Map<string, number>();
  private counts = new Float64Array(8);

  constructor(options: FastCounterOptions) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    for (const v of options.labelValues ?? []) this.slot(...v);
    for (const r of options.registers) r.registerMetric(this as never);
  }

  /** The slot of a tuple of label values, in labelNames' order (made on first use), for `incAt`. */
  slot(...values: string[]): number {
    if (values.length !== this.labelNames.length) throw new Error(`${this.name} takes ${this.labelNames.length} label values`);
    const key = values.join('\n');
    let i = this.slots.get(key);
    if (i !== undefined) return i;
    i = this.labelValues.length;
    this.labelValues.push(values);
    this.slots.set(key, i);
    if (i >= this.counts.length) {
      const grown = new Float64Array(this.counts.length * 2);
      grown.set(this.counts);
      this.counts = grown;
    }
    return i;
  }

  incAt(slot: number): void {
    this.counts[slot]!++;
  }

  inc(...values: string[]): void {
    this.counts[this.slot(...values)]!++;
  }

  /** The metric as prom-client's registries read it. */
  get(): { name: string; help: string; type: 'counter'; aggregator: 'sum'; values: { labels: Record<string, string>; value: number }[] } {
    const values = this.labelValues.map((v, i) => ({
      labels: Object.fromEntries(this.labelNames.map((n, j) => [n, v[j]!])),
      value: this.counts[i]!,
    }));
    return { name: this.name, help: this.help, type: 'counter', aggregator: 'sum', values };
  }

  reset(): void {
    this.counts.fill(0);
  }
}

import type { Registry } from 'prom-client';

export interface FastCounterOptions {
  name: string;
  help: string;
  /** The one label the counter is split by. */
  labelName: string;
  /** Label values shown (at 0) from the start; others appear once counted. */
  labelValues?: readonly string[];
  registers: Registry[];
}

/**
 * A Prometheus counter with one label for the hot path: counting is an addition into a typed array
 * at a slot looked up once (prom-client's Counter hashes its labels on every `inc`). It registers
 * itself as a prom-client metric (the `get()` shape its registries and the cluster's
 * AggregatorRegistry read), so the text output is the same; the values are read at scrape time.
 */
export class FastCounter {
  readonly type = 'counter';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly labelName: string;
  private readonly labelValues: string[] = [];
  private readonly slots = new Map<string, number>();
  private counts = new Float64Array(8);

  constructor(options: FastCounterOptions) {
    this.name = options.name;
    this.help = options.help;
    this.labelName = options.labelName;
    for (const v of options.labelValues ?? []) this.slot(v);
    for (const r of options.registers) r.registerMetric(this as never);
  }

  /** The slot of a label value (made on first use), for `incAt`. */
  slot(value: string): number {
    let i = this.slots.get(value);
    if (i !== undefined) return i;
    i = this.labelValues.length;
    this.labelValues.push(value);
    this.slots.set(value, i);
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

  inc(value: string): void {
    this.counts[this.slot(value)]!++;
  }

  /** The metric as prom-client's registries read it. */
  get(): { name: string; help: string; type: 'counter'; aggregator: 'sum'; values: { labels: Record<string, string>; value: number }[] } {
    const values = this.labelValues.map((v, i) => ({ labels: { [this.labelName]: v }, value: this.counts[i]! }));
    return { name: this.name, help: this.help, type: 'counter', aggregator: 'sum', values };
  }

  reset(): void {
    this.counts.fill(0);
  }
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AggregatorRegistry, Registry } from 'prom-client';
import { FastCounter } from './fast-counter.js';

test('a fast counter reads like a prom-client counter: preset labels at 0, others once counted', async () => {
  const registry = new Registry();
  const c = new FastCounter({ name: 'x_total', help: 'Things.', labelNames: ['kind'], labelValues: [['a'], ['b']], registers: [registry] });
  c.incAt(c.slot('b'));
  for (let i = 0; i < 20; i++) c.inc(`k${i}`); // past the first slots: the counts grow
  c.inc('k3');
  const text = await registry.metrics();
  assert.match(text, /^# HELP x_total Things\.\n# TYPE x_total counter\nx_total\{kind="a"\} 0\nx_total\{kind="b"\} 1\n/);
  assert.match(text, /\nx_total\{kind="k3"\} 2\n/);
  assert.match(text, /\nx_total\{kind="k19"\} 1\n/);
});

test('the cluster aggregator sums fast counters across workers', async () => {
  const workers = [3, 4].map((n) => {
    const registry = new Registry();
    const c = new FastCounter({ name: 'x_total', help: 'Things.', labelNames: ['kind'], labelValues: [['a']], registers: [registry] });
    for (let i = 0; i < n; i++) c.inc('a');
    return registry;
  });
  const merged = AggregatorRegistry.aggregate(await Promise.all(workers.map((r) => r.getMetricsAsJSON())));
  assert.match(await merged.metrics(), /\nx_total\{kind="a"\} 7\n/);
});

test('a counter of two labels: one series per pair of values, in labelNames order', async () => {
  const registry = new Registry();
  const c = new FastCounter({ name: 'y_total', help: 'Pairs.', labelNames: ['app', 'code_class'], registers: [registry] });
  c.incAt(c.slot('shop', '2xx'));
  c.inc('shop', '2xx');
  c.inc('blog', '5xx');
  const text = await registry.metrics();
  assert.match(text, /\ny_total\{app="shop",code_class="2xx"\} 2\n/);
  assert.match(text, /\ny_total\{app="blog",code_class="5xx"\} 1\n/);
  assert.throws(() => c.inc('shop'), /takes 2 label values/);
});

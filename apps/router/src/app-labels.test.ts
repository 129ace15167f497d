import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppLabels } from './app-labels.js';
import { RouterMetrics } from './router-metrics.js';

test('the app label is bounded: apps past the cap share _other, requests without an app are _none', () => {
  const labels = new AppLabels(2);
  assert.equal(labels.values[labels.of('shop')], 'shop');
  assert.equal(labels.values[labels.of('blog')], 'blog');
  assert.equal(labels.values[labels.of('third')], '_other');
  assert.equal(labels.values[labels.of('shop')], 'shop', 'an app keeps its value');
  assert.equal(labels.values[labels.of(undefined)], '_none');
  assert.equal(labels.values.length, 4, 'never more than the cap plus _none and _other');
  assert.throws(() => new AppLabels(-1));
});

test("the router's per-request metrics carry the app, and a thousand apps make at most cap + 2 series", async () => {
  const metrics = new RouterMetrics({ routes: () => 0, ejectedBackends: () => 0, tunnels: () => 0, maxAppLabels: 3 });
  metrics.request(200, 'shop');
  metrics.request(503, 'shop');
  metrics.request(404);
  metrics.upstreamLatency(20, 'shop');
  for (let i = 0; i < 1000; i++) {
    metrics.request(200, `app-${i}`);
    metrics.upstreamLatency(5, `app-${i}`);
  }
  const text = await metrics.registry.metrics();
  assert.match(text, /\npaas_router_requests_total\{app="shop",code_class="2xx"\} 1\n/);
  assert.match(text, /\npaas_router_requests_total\{app="shop",code_class="5xx"\} 1\n/);
  assert.match(text, /\npaas_router_requests_total\{app="_none",code_class="4xx"\} 1\n/);
  assert.match(text, /\npaas_router_requests_total\{app="_other",code_class="2xx"\} 998\n/);
  assert.match(text, /\npaas_router_upstream_latency_seconds_count\{app="shop"\} 1\n/);
  assert.match(text, /\npaas_router_upstream_latency_seconds_bucket\{le="0.025",app="shop"\} 1\n|\npaas_router_upstream_latency_seconds_bucket\{app="shop",le="0.025"\} 1\n/);
  assert.match(text, /\npaas_router_upstream_latency_seconds_count\{app="_other"\} 998\n/);
  const apps = new Set([...text.matchAll(/paas_router_requests_total\{app="([^"]+)"/g)].map((m) => m[1]));
  assert.deepEqual([...apps].sort(), ['_none', '_other', 'app-0', 'app-1', 'shop']);
});

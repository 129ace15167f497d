import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredLogEntry } from '@paas/shared';
import { requestSeries } from './app-metrics.js';

const now = Date.UTC(2026, 0, 1, 12, 30, 30);
const minute = 60_000;
const line = (msAgo: number, status: number, service: number, source: StoredLogEntry['source'] = 'router'): StoredLogEntry => ({
  id: `${now - msAgo}-0`,
  ts: new Date(now - msAgo).toISOString(),
  source,
  process: source === 'router' ? 'router' : 'web.1',
  line: `at=info method=GET path="/" host=shop.localhost request_id=x fwd="127.0.0.1" dyno=web.1 connect=0ms service=${service}ms status=${status} bytes=5 protocol=http`,
});

test('requests per minute with status classes and latency percentiles; other lines and old ones ignored', () => {
  const entries = [
    line(10_000, 200, 10),
    line(11_000, 200, 30),
    line(12_000, 404, 20),
    line(13_000, 503, 1000),
    line(14_000, 200, 5, 'app'),
    line(minute + 5_000, 302, 7),
    line(2 * 3600_000, 200, 1),
    { ...line(1000, 200, 1), line: 'router: something else' },
  ];
  const points = requestSeries(entries, now, 3600_000, minute);
  assert.equal(points.length, 60);
  const last = points.at(-1)!;
  assert.equal(last.t, Date.UTC(2026, 0, 1, 12, 30));
  assert.equal(last.requests, 4);
  assert.deepEqual(last.status, { '2xx': 2, '3xx': 0, '4xx': 1, '5xx': 1 });
  assert.equal(last.p50_ms, 20);
  assert.equal(last.p95_ms, 1000);
  const before = points.at(-2)!;
  assert.equal(before.requests, 1);
  assert.equal(before.status['3xx'], 1);
  assert.equal(points.slice(0, -2).reduce((n, p) => n + p.requests, 0), 0);
  assert.equal(points[0]!.p50_ms, null);
});

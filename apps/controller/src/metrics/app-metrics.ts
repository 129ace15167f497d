import type { StoredLogEntry } from '@paas/shared';

/** One minute of an app's traffic, from the router's access lines. */
export interface RequestPoint {
  /** Start of the minute (ms since the epoch). */
  t: number;
  requests: number;
  /** Responses by status class: 2xx, 3xx, 4xx, 5xx. */
  status: { '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  /** Median and 95th percentile of the router's `service` time, in ms; null without a request. */
  p50_ms: number | null;
  p95_ms: number | null;
}

const accessLine = /\bservice=(\d+)ms status=(\d{3})\b/;

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Requests per step over the window ending at `nowMs`, from the router's access lines in the app's
 * log stream (the stream ids are the times they were written): counts, status classes and latency.
 * Linear in the entries; every step of the window has a point, zero when quiet.
 */
export function requestSeries(entries: StoredLogEntry[], nowMs: number, windowMs: number, stepMs: number): RequestPoint[] {
  const steps = Math.ceil(windowMs / stepMs);
  const start = Math.floor(nowMs / stepMs) * stepMs - (steps - 1) * stepMs;
  const latencies: number[][] = Array.from({ length: steps }, () => []);
  const points: RequestPoint[] = latencies.map((_, i) => ({
    t: start + i * stepMs,
    requests: 0,
    status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    p50_ms: null,
    p95_ms: null,
  }));
  for (const e of entries) {
    if (e.source !== 'router') continue;
    const at = Number(e.id.slice(0, e.id.indexOf('-')));
    const i = Math.floor((at - start) / stepMs);
    if (!(i >= 0 && i < steps)) continue;
    const m = accessLine.exec(e.line);
    if (!m) continue;
    const point = points[i]!;
    point.requests++;
    const cls = `${m[2]![0]}xx`;
    if (cls === '2xx' || cls === '3xx' || cls === '4xx' || cls === '5xx') point.status[cls]++;
    latencies[i]!.push(Number(m[1]));
  }
  points.forEach((p, i) => {
    const sorted = latencies[i]!.sort((a, b) => a - b);
    p.p50_ms = percentile(sorted, 50);
    p.p95_ms = percentile(sorted, 95);
  });
  return points;
}

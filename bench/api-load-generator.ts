/**
 * An open-loop HTTP load generator, run as its own process (`node --import tsx bench/api-load-generator.ts`)
 * so it never shares an event loop with the server it measures. It fires requests at a fixed rate
 * whether or not earlier ones have answered (a closed loop such as wrk would slow down with the
 * server and hide queueing), and measures each latency from the moment the request was DUE, so a
 * stalled generator or server shows up in the figures (no coordinated omission).
 *
 * Input (argv[2], JSON): { url, rate, durationMs, warmupMs, timeoutMs, requests: [{ method, path, headers, body }] }
 * — requests are used round-robin; one unanswered after timeoutMs is abandoned and counted as
 * `timeout` (with its latency so far). Output (stdout, JSON): latencies in ms, status counts, achieved rate.
 */
import http from 'node:http';

interface Plan {
  url: string;
  rate: number;
  durationMs: number;
  warmupMs: number;
  timeoutMs?: number;
  requests: { method: string; path: string; headers?: Record<string, string>; body?: unknown }[];
}

const plan = JSON.parse(process.argv[2] ?? '{}') as Plan;
const target = new URL(plan.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const bodies = plan.requests.map((r) => (r.body === undefined ? undefined : Buffer.from(JSON.stringify(r.body))));

const latencies: number[] = [];
const statuses: Record<string, number> = {};
let inFlight = 0;
let maxInFlight = 0;

function fire(i: number, due: number, measured: boolean): void {
  const spec = plan.requests[i % plan.requests.length]!;
  const body = bodies[i % plan.requests.length];
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  let finished = false;
  const done = (status: string): void => {
    if (finished) return;
    finished = true;
    inFlight--;
    if (!measured) return;
    latencies.push(performance.now() - due);
    statuses[status] = (statuses[status] ?? 0) + 1;
  };
  const req = http.request(
    {
      host: target.hostname,
      port: target.port,
      method: spec.method,
      path: spec.path,
      agent,
      headers: { ...spec.headers, ...(body ? { 'content-type': 'application/json', 'content-length': body.length } : {}) },
    },
    (res) => {
      res.resume();
      res.on('end', () => done(String(res.statusCode)));
      res.on('error', () => done('error'));
    },
  );
  req.on('error', () => done('error'));
  req.setTimeout(plan.timeoutMs ?? 10_000, () => {
    done('timeout');
    req.destroy();
  });
  req.end(body);
}

const interval = 1000 / plan.rate;
const total = Math.round(((plan.warmupMs + plan.durationMs) / 1000) * plan.rate);
const warmup = Math.round((plan.warmupMs / 1000) * plan.rate);
const start = performance.now() + 50;
let sent = 0;

await new Promise<void>((resolve) => {
  const tick = (): void => {
    const now = performance.now();
    while (sent < total && start + sent * interval <= now) {
      fire(sent, start + sent * interval, sent >= warmup);
      sent++;
    }
    if (sent < total) setTimeout(tick, Math.max(0, Math.min(1, start + sent * interval - performance.now())));
    else resolve();
  };
  tick();
});
const sendEnd = performance.now();
while (inFlight > 0) await new Promise((r) => setTimeout(r, 5));

latencies.sort((a, b) => a - b);
const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
process.stdout.write(
  JSON.stringify({
    count: latencies.length,
    p50: q(50),
    p90: q(90),
    p99: q(99),
    max: latencies[latencies.length - 1] ?? NaN,
    statuses,
    maxInFlight,
    achievedRate: ((total - warmup) / (sendEnd - (start + warmup * interval))) * 1000,
  }),
);
agent.destroy();

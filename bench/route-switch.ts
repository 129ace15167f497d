/**
 * Route updates under load: a steady stream of keep-alive requests through a proxy while its upstream
 * is switched back and forth between two backends. For each switch, the ms from the switch to the
 * first response from the new backend; over all switches, the requests that failed.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { median, percentile } from './bench-processes.js';

/** Keep-alive GETs from `concurrency` loops until stopped; tells who answered each one. */
export class SteadyLoad {
  ok = 0;
  failed = 0;
  private running = true;
  private readonly loops: Promise<void>[] = [];
  private readonly agent: http.Agent;
  private waiters: { backend: string; resolve: (at: number) => void }[] = [];

  constructor(
    private readonly port: number,
    private readonly host: string,
    concurrency: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    for (let i = 0; i < concurrency; i++) this.loops.push(this.loop());
  }

  /** Resolves with performance.now() of the first response from `backend` after this call. */
  firstFrom(backend: string): Promise<number> {
    return new Promise((resolve) => this.waiters.push({ backend, resolve }));
  }

  /** Zeroes the counts. */
  reset(): void {
    this.ok = 0;
    this.failed = 0;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.agent.destroy();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const backend = await this.once();
      if (backend === undefined) {
        this.failed++;
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      this.ok++;
      const at = performance.now();
      if (this.waiters.length > 0) {
        const [hit, rest] = partition(this.waiters, (w) => w.backend === backend);
        this.waiters = rest;
        for (const w of hit) w.resolve(at);
      }
    }
  }

  /** One request; the name of the backend that answered, or undefined when it failed. */
  private once(): Promise<string | undefined> {
    return new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: this.port, path: '/', headers: { host: this.host }, agent: this.agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200 ? String(res.headers['x-backend']) : undefined));
        res.on('error', () => resolve(undefined));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(undefined));
    });
  }
}

function partition<T>(xs: T[], f: (x: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const x of xs) (f(x) ? yes : no).push(x);
  return [yes, no];
}

export interface SwitchResult {
  /** ms from each switch to the first response from the new backend. */
  latencies: number[];
  /** Switches whose new backend did not answer within 5 s. */
  missed: number;
  failed: number;
  ok: number;
  /** Extra per-switch figures (e.g. the time until the routers acknowledged). */
  extra: number[];
}

/**
 * Runs `switches` switches under a steady load: `switchTo(backend)` performs one (returns an optional
 * extra figure, awaited in parallel with the first response).
 */
export async function measureSwitches(
  port: number,
  host: string,
  backends: [string, string],
  switches: number,
  switchTo: (backend: string, index: number) => Promise<number | undefined>,
): Promise<SwitchResult> {
  const load = new SteadyLoad(port, host, 8);
  const latencies: number[] = [];
  const extra: number[] = [];
  let missed = 0;
  try {
    await new Promise((r) => setTimeout(r, 300)); // connections open, JIT warm
    load.reset();
    for (let i = 0; i < switches; i++) {
      const to = backends[(i + 1) % 2]!;
      const started = performance.now();
      const first = load.firstFrom(to);
      const [at, figure] = await Promise.all([
        Promise.race([first, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))]),
        switchTo(to, i),
      ]);
      if (at === undefined) missed++;
      else latencies.push(Math.max(0, at - started));
      if (figure !== undefined) extra.push(figure);
      await new Promise((r) => setTimeout(r, 20 + (i % 5) * 5));
    }
    return { latencies, missed, failed: load.failed, ok: load.ok, extra };
  } finally {
    await load.stop();
  }
}

export function switchRow(name: string, r: SwitchResult, switches: number, note = ''): string {
  const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');
  return `| ${name} | ${f(median(r.latencies))} | ${f(percentile(r.latencies, 99))} | ${f(Math.max(...r.latencies))} | ${r.failed} of ${r.ok + r.failed} | ${r.missed ? `${r.missed} of ${switches} switches never showed` : ''}${note} |`;
}

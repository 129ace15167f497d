import { AppError, sleep, type Logger } from '@paas/shared';
import type { ProcessInfo, RuntimeBackend } from '../runtime/runtime-backend.js';
import { httpCheck, type HttpCheck, type Probe } from './probe.js';
import { checksWorstCaseSeconds, strategyOf, type HealthCheck } from './health-checks.js';

export interface BootChecksOptions {
  runtime: RuntimeBackend;
  probe: Probe;
  /** One HTTP GET of a path check; the real one by default. */
  check?: HttpCheck;
  /** A web process must answer HTTP within this long (PAAS_BOOT_TIMEOUT). */
  bootTimeoutMs: number;
  /** The deadline of a process's boot, checks included (PAAS_MAX_BOOT_SECONDS). Default 300 s. */
  maxBootMs?: number;
  log: Logger;
}

const logTailLines = 20;

/**
 * Whether a process a deploy started has booted: a web process must answer HTTP on $PORT (within
 * the boot timeout), then every process passes its startup checks (health-checks.ts: Dokku's
 * strategies and defaults), all within its boot deadline. A failure is a `release_failed` with the
 * process's last output; a failing `warn` check is only reported.
 */
export class BootChecks {
  constructor(private readonly o: BootChecksOptions) {}

  /** How long a process with these checks has to boot. */
  deadlineMs(checks: readonly HealthCheck[]): number {
    return Math.min(this.o.maxBootMs ?? 300_000, this.o.bootTimeoutMs + checksWorstCaseSeconds(checks) * 1000);
  }

  async wait(p: ProcessInfo, checks: readonly HealthCheck[], say: (line: string) => void = () => {}): Promise<void> {
    const start = Date.now();
    const deadline = start + this.deadlineMs(checks);
    if (p.type === 'web') await this.answering(p, Math.min(deadline, start + this.o.bootTimeoutMs));
    for (const c of checks) {
      try {
        await this.run(p, c, start, deadline);
      } catch (err) {
        if (!c.warn) throw err;
        const message = (err as Error).message.replace(/; its last output:[^]*$/, '');
        say(`warning: ${message} (warn: true, the deploy goes on)`);
        this.o.log.warn({ app: p.app, process: p.name, err: message }, 'a warn-only health check failed');
      }
    }
  }

  /** Waits until a web process answers HTTP; fails early when it crashes, late when it never answers. */
  private async answering(p: ProcessInfo, answerBy: number): Promise<void> {
    let polls = 0;
    while (Date.now() < answerBy) {
      if (p.port !== undefined && (await this.o.probe(p.address, p.port))) return;
      if (++polls % 4 === 0 && !(await this.running(p))) throw await this.error(p, `${p.name} crashed while booting`);
      await sleep(250);
    }
    throw await this.error(p, `${p.name} did not answer HTTP on $PORT within ${Math.round(this.o.bootTimeoutMs / 1000)} s`);
  }

  private async running(p: ProcessInfo): Promise<ProcessInfo | undefined> {
    const now = (await this.o.runtime.list({ app: p.app })).find((x) => x.id === p.id);
    return now && now.state !== 'crashed' && now.state !== 'down' ? now : undefined;
  }

  /** One check, none of it past the deadline. */
  private async run(p: ProcessInfo, c: HealthCheck, start: number, deadline: number): Promise<void> {
    const left = (): number => deadline - Date.now();
    const label = c.name ?? (strategyOf(c) === 'path' ? c.path : strategyOf(c));
    if (c.initialDelay) await sleep(Math.max(0, Math.min(c.initialDelay * 1000, left())));
    if (strategyOf(c) === 'uptime') {
      // Dokku's uptime: running for that long without stopping or restarting (no attempts).
      await sleep(Math.max(0, Math.min(start + (c.uptime ?? 0) * 1000 - Date.now(), left())));
      const now = await this.running(p);
      if (!now || now.restartCount > p.restartCount) {
        throw await this.error(p, `${p.name} did not stay up for ${c.uptime ?? 0} s (health check ${label}): it ${now ? 'restarted' : 'stopped'}`);
      }
      return;
    }
    let last = '';
    for (let attempt = 1; attempt <= c.attempts; attempt++) {
      if (left() <= 0) throw await this.error(p, `${p.name} did not pass its health check ${label} within its boot deadline (at most PAAS_MAX_BOOT_SECONDS)${last ? `: ${last}` : ''}`);
      last = await this.attempt(p, c, Math.min(c.timeout * 1000, left()));
      if (last === '') return;
      if (attempt < c.attempts) await sleep(Math.max(0, Math.min(c.wait * 1000, left())));
    }
    throw await this.error(p, `${p.name} failed its health check ${label} after ${c.attempts} attempts: ${last}`);
  }

  /** One attempt of a path or listening check: '' when it passed, else why not. */
  private async attempt(p: ProcessInfo, c: HealthCheck, timeoutMs: number): Promise<string> {
    if (p.port === undefined) return 'the process has no port';
    if (strategyOf(c) === 'listening') return (await this.o.probe(p.address, p.port)) ? '' : `nothing answers on $PORT`;
    const headers = Object.fromEntries((c.httpHeaders ?? []).map((h) => [h.name.toLowerCase(), h.value]));
    const res = await (this.o.check ?? httpCheck)(p.address, p.port, c.path ?? '/', timeoutMs, { scheme: c.scheme, headers });
    if ('error' in res) return res.error;
    // Dokku's path checks pass on a 2xx answer only.
    if (res.status < 200 || res.status >= 300) return `HTTP ${res.status}`;
    if (c.content !== undefined && !res.body.includes(c.content)) return `the answer does not contain ${JSON.stringify(c.content)}`;
    return '';
  }

  private async error(p: ProcessInfo, message: string): Promise<AppError> {
    const output = (await this.o.runtime.logs(p.id, logTailLines).catch(() => '')).trimEnd();
    return new AppError('release_failed', output ? `${message}; its last output:\n${output}` : message, {
      details: { process: p.name, output },
    });
  }
}

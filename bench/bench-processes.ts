/** Child processes, ports and wrk for the benchmarks. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Installs the reference tools the benchmarks run (Debian's `wrk` and `nginx-light`) when they are
 * missing, as `npm run up` installs Docker: on a fresh machine `npm run bench` just works.
 */
export function ensureTools(tools: Record<string, string> = { wrk: 'wrk', nginx: 'nginx-light' }): void {
  const onPath = (command: string): boolean => {
    try {
      execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const missing = Object.entries(tools).filter(([command]) => !onPath(command)).map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  console.error(`installing ${missing.join(', ')} for the benchmarks...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
  // Debian's package starts a system nginx on port 80; the benchmark runs its own.
  if (missing.includes('nginx-light')) {
    try {
      execFileSync('sh', ['-c', 'service nginx stop || nginx -s stop'], { stdio: 'ignore' });
    } catch {
      // not running
    }
  }
}

export interface WrkResult {
  rps: number;
  /** Latency percentiles in ms. */
  p50: number;
  p99: number;
  errors: number;
  /** Requests completed. */
  requests: number;
}

/** Runs wrk against 127.0.0.1:port with a Host header, killed if it overruns; parses req/s, p50, p99 and errors. */
export function wrk(port: number, host: string, args: string[]): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', [...args, '--latency', '-H', `Host: ${host}`, `http://127.0.0.1:${port}/`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
      if (code !== 0 || rps === undefined) return reject(new Error(`wrk failed (${code}):\n${out}`));
      const errors =
        Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0) +
        [...(/Socket errors:(.*)/.exec(out)?.[1] ?? '').matchAll(/(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
      const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
      resolve({ rps: Number(rps), p50: ms(/\s50%\s+(\S+)/.exec(out)?.[1]), p99: ms(/\s99%\s+(\S+)/.exec(out)?.[1]), errors, requests });
    });
  });
}

/** wrk's `1.23ms`, `456.00us`, `1.02s` in ms. */
function ms(s: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(s ?? '');
  if (!m) return NaN;
  const unit = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(m[1]) * unit;
}

export async function startChild(name: string, command: string, args: string[], env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const deadline = Date.now() + 20_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(killer);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export { freePort } from '@paas/test-kit';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const ticksPerSecond = 100;

/**
 * CPU time (user + system, ms) used so far by a process and all its descendants (cluster workers,
 * nginx's workers), from /proc. Processes that have exited are not counted.
 */
export function treeCpuMs(pid: number): number {
  let ticks = 0;
  const pending = [pid];
  while (pending.length) {
    const p = pending.pop()!;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
      for (const t of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/)) if (t) pending.push(Number(t));
    } catch {
      // gone meanwhile
    }
  }
  return (ticks * 1000) / ticksPerSecond;
}

/**
 * Log lines per second carried from a container to `paas logs --tail`, and the latency the platform
 * adds between a container's write and the line showing in the tail. A `logger` process writes
 * lines stamped with the wall clock (`bench <phase> <seq> <ms>`) at fixed rates, phase after phase,
 * then as fast as it can; a `paas logs --tail --ps logger` process reads them on the same machine
 * (same clock). Every line travels the real path: Docker's json-file log → the controller's
 * collector → the app's Redis stream → the tail's XREAD → SSE over HTTP → the CLI's stdout.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { defaultLogLines } from '@paas/shared';
import { gitPush, gitRepo, paasBin, repoRoot, startPlatform } from '../test/helpers/platform.js';

interface Phase {
  name: string;
  /** Lines per second; 0 writes as fast as the process can. */
  rate: number;
  lines: number;
}

const phases: Phase[] = [
  { name: 'r1000', rate: 1_000, lines: 5_000 },
  { name: 'r5000', rate: 5_000, lines: 25_000 },
  { name: 'r10000', rate: 10_000, lines: 50_000 },
  { name: 'r20000', rate: 20_000, lines: 100_000 },
  { name: 'r40000', rate: 40_000, lines: 200_000 },
  { name: 'flood', rate: 0, lines: 200_000 },
];

// Writes each phase's lines in 10 ms ticks (one write a tick), 2 s apart, then idles.
const loggerSource = `const phases = ${JSON.stringify(phases)};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const write = (s) => new Promise((r) => (process.stdout.write(s) ? r() : process.stdout.once('drain', r)));
(async () => {
  await sleep(3000);
  for (const p of phases) {
    const started = Date.now();
    let seq = 0;
    while (seq < p.lines) {
      const due = p.rate ? Math.min(p.lines, Math.floor(((Date.now() - started) / 1000) * p.rate) + 1) : Math.min(p.lines, seq + 500);
      let out = '';
      const now = Date.now();
      for (; seq < due; seq++) out += 'bench ' + p.name + ' ' + seq + ' ' + now + '\\n';
      if (out) await write(out);
      if (p.rate) await sleep(10);
    }
    console.log('bench-phase-end ' + p.name + ' ' + (Date.now() - started));
    await sleep(2000);
  }
  console.log('bench-done');
  setInterval(() => {}, 1 << 30);
})();
`;

interface PhaseResult {
  received: number;
  /** Distinct sequence numbers received (a repeat would not count twice). */
  seqs: Set<number>;
  firstAt: number;
  lastAt: number;
  latencies: number[];
  writeMs: number;
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export async function benchLogs(): Promise<string> {
  const load = loadavg()[0]!;
  const p = await startPlatform();
  const work = await mkdtemp(join(tmpdir(), 'paas-bench-logs-'));
  const app = `logbench-${randomBytes(3).toString('hex')}`;
  const results = new Map<string, PhaseResult>(phases.map((ph) => [ph.name, { received: 0, seqs: new Set<number>(), firstAt: 0, lastAt: 0, latencies: [], writeMs: 0 }]));
  let trimmedNotes = 0;
  try {
    if ((await p.paas(['apps:create', app])).code !== 0) throw new Error('apps:create failed');
    const dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/hello-express'), dir, { recursive: true });
    await writeFile(join(dir, 'logger.js'), loggerSource);
    await writeFile(join(dir, 'Procfile'), 'web: node index.js\nlogger: node logger.js\n');
    await gitRepo(dir);
    await p.paas(['git:remote', '-a', app], { cwd: dir });
    const pushed = await gitPush(p, dir);
    if (pushed.code !== 0) throw new Error(`push failed:\n${pushed.output}`);

    const tail = spawn(paasBin, ['logs', '--tail', '-n', '1', '--ps', 'logger', '-a', app], { cwd: p.home, env: { ...p.env } });
    let buffer = '';
    let done = false;
    tail.stdout.setEncoding('utf8');
    tail.stdout.on('data', (chunk: string) => {
      const now = Date.now();
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const i = line.indexOf(': bench ');
        if (i >= 0) {
          const [, phase, seq, at] = line.slice(i + 2).split(' ');
          const r = results.get(phase!);
          if (!r) continue;
          if (r.received === 0) r.firstAt = now;
          r.received += 1;
          r.seqs.add(Number(seq));
          r.lastAt = now;
          r.latencies.push(now - Number(at));
        } else if (line.includes(': bench-phase-end ')) {
          const [, phase, ms] = line.slice(line.indexOf('bench-phase-end')).split(' ');
          const r = results.get(phase!);
          if (r) r.writeMs = Number(ms);
        } else if (line.includes(': bench-done')) done = true;
        else if (line.includes('lines were trimmed')) trimmedNotes += 1;
      }
    });
    await new Promise((r) => setTimeout(r, 2000));
    const scaled = await p.paas(['scale', 'logger=1', '-a', app]);
    if (scaled.code !== 0) throw new Error(`scale failed: ${scaled.stderr}`);
    const deadline = Date.now() + 10 * 60_000;
    while (!done && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 2000));
    tail.kill();
  } finally {
    await p.stop();
    await rm(work, { recursive: true, force: true });
  }

  const rows = phases.map((ph) => {
    const r = results.get(ph.name)!;
    const carried = r.received > 1 ? (r.received / Math.max(1, r.lastAt - r.firstAt)) * 1000 : 0;
    const written = ph.rate ? `${ph.rate.toLocaleString('en-US')}` : `as fast as it can (${Math.round((ph.lines / Math.max(1, r.writeMs)) * 1000).toLocaleString('en-US')})`;
    return `| ${written} | ${ph.lines.toLocaleString('en-US')} | ${r.seqs.size.toLocaleString('en-US')} | ${r.received - r.seqs.size} | ${Math.round(carried).toLocaleString('en-US')} | ${percentile(r.latencies, 50)} | ${percentile(r.latencies, 99)} | ${percentile(r.latencies, 100)} |`;
  });
  const fixed = phases.filter((ph) => ph.rate > 0).map((ph) => ({ ph, r: results.get(ph.name)! }));
  const lossless = fixed.filter(({ ph, r }) => r.seqs.size === ph.lines && r.received === ph.lines).map(({ ph }) => ph.rate);
  const best = Math.max(0, ...lossless);
  const at20k = results.get('r20000')!;
  return [
    '## Logs: container output to `paas logs --tail`',
    '',
    'A `logger` process writes lines stamped with the wall clock at a fixed rate (one `write` every 10 ms), phase after phase, then as fast as it can; `paas logs --tail --ps logger` runs beside it on the same machine. Latency is from the line being written in the container to it arriving on the CLI\'s stdout (Docker json-file → collector → Redis stream → XREAD → SSE → CLI); lines per second are those the tail received, over the time it received them. ' +
      `The stream keeps \`PAAS_LOG_LINES\` = ${defaultLogLines.toLocaleString('en-US')} lines (the default): a tail that falls further behind loses lines (and is told so) rather than growing the controller's memory.`,
    '',
    '| written (lines/s) | lines written | lines in the tail | repeated | carried (lines/s) | p50 latency (ms) | p99 latency (ms) | max (ms) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Highest fixed rate carried without losing a line: ${best.toLocaleString('en-US')} lines/s (target ≥ 20,000). p99 added latency at 20,000 lines/s: ${percentile(at20k.latencies, 99)} ms (target ≤ 500 ms).${trimmedNotes ? ` The tail was told ${trimmedNotes} time(s) that lines were trimmed before it read them.` : ''} The machine's load average was ${load.toFixed(1)} when the benchmark started: the container, Docker, the controller, Redis, the CLI and this reader share its cores.`,
    '',
  ].join('\n');
}

// npm run fuzz -- [--seed N] [--requests N] [--deadline-ms N] [--minutes N] [--json]
// Runs the API fuzzer (test/fuzz/) longer than CI does and prints a summary: requests sent, 5xx
// grouped by cause, crashes, hangs, the longest event-loop stall of the run, and the longest one
// request causes (the worst ones sent again alone: stall-replay.ts).
import { parseArgs } from 'node:util';
import { groupFindings, runFuzz } from '../test/fuzz/api-fuzzer.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    requests: { type: 'string', default: '5000' },
    'deadline-ms': { type: 'string', default: '5000' },
    minutes: { type: 'string', default: '30' },
    json: { type: 'boolean', default: false },
  },
});
const int = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`--${name} must be a positive whole number`);
    process.exit(2);
  }
  return n;
};
const seed = int('seed', values.seed);
const report = await runFuzz({
  seed,
  requests: int('requests', values.requests),
  deadlineMs: int('deadline-ms', values['deadline-ms']),
  budgetMs: int('minutes', values.minutes) * 60_000,
  progress: (line) => console.error(`  … ${line}`),
});
const groups = groupFindings(report.serverErrors);
const replayed = [...report.replayedStalls, ...report.probedStalls].sort((a, b) => b.ms - a.ms)[0];
if (values.json) {
  console.log(JSON.stringify({ ...report, serverErrorGroups: groups }, null, 2));
} else {
  const rows: [string, string][] = [
    ['seed', String(report.seed)],
    ['operations (from /openapi.json)', String(report.operations)],
    ['requests sent', String(report.cases)],
    ['duration', `${(report.durationMs / 1000).toFixed(1)} s`],
    ['answers', Object.entries(report.statuses).filter(([k]) => k.endsWith('xx')).sort().map(([k, v]) => `${k} ${v}`).join(', ')],
    ['5xx', String(report.serverErrors.length)],
    ['crashes', String(report.crashes.length)],
    ['hangs', String(report.hangs.length)],
    ['closed without an answer', String(report.closedWithoutAnswer)],
    ['longest event-loop stall (run)', `${report.maxStallMs.toFixed(1)} ms`],
    ['longest stall one request causes', replayed ? `${replayed.ms.toFixed(1)} ms (least of ${replayed.replayMs.length} tries; ${replayed.what.slice(0, 80)})` : 'not measured'],
    ['same pid, health check', `${report.samePid ? 'yes' : 'NO'}, ${report.healthy ? 'answers' : 'DOES NOT ANSWER'}`],
    ['database', report.dbProblems.length ? report.dbProblems.join('; ') : 'consistent'],
  ];
  for (const [k, v] of rows) console.log(`${k.padEnd(34)} ${v}`);
  if (report.stallCase) console.log(`\nlongest stall during the run, during: ${report.stallCase.slice(0, 300)}`);
  if (report.probedStalls.length) {
    console.log('\nrequests known to have stalled it, sent alone 3 times before the run (least; each try; answers):');
    for (const r of report.probedStalls) console.log(`  ${r.ms.toFixed(1).padStart(6)} ms  (${r.replayMs.map((m) => m.toFixed(1)).join(', ')}; ${r.statuses.join(', ')})  ${r.what}`);
  }
  if (report.replayedStalls.length) {
    console.log('\nthe worst-stalling requests sent again alone (stall in the run → each replay; least first column):');
    for (const r of report.replayedStalls) {
      console.log(`  ${r.ms.toFixed(1).padStart(6)} ms  (run ${r.firstMs.toFixed(1)}; ${r.replayMs.map((m) => m.toFixed(1)).join(', ')}; ${r.statuses.join(', ')})  ${r.what.slice(0, 200)}`);
    }
  }
  if (report.crashes.length) {
    console.log('\ncrashes by cause (the controller is started again after each):');
    for (const g of groupFindings(report.crashes)) console.log(`  ${String(g.count).padStart(5)}  ${g.cause}\n         e.g. ${g.example.slice(0, 240)}`);
  }
  if (groups.length) {
    console.log('\n5xx by cause:');
    for (const g of groups) console.log(`  ${String(g.count).padStart(5)}  ${g.cause}\n         routes: ${g.routes.join(', ')}\n         e.g. ${g.example.slice(0, 240)}`);
  }
  if (report.closedExamples.length) {
    console.log('\nclosed without an answer:');
    for (const c of report.closedExamples) console.log(`  ${c.cause}: ${c.request.slice(0, 160)}  [${c.label}]`);
  }
  if (report.hangs.length) {
    console.log('\nhangs:');
    for (const h of report.hangs.slice(0, 20)) console.log(`  ${h.request}  [${h.label}]`);
  }
}
const failed = report.serverErrors.length > 0 || report.hangs.length > 0 || report.crashes.length > 0 || !report.samePid || !report.healthy || report.dbProblems.length > 0;
process.exit(failed ? 1 : 0);

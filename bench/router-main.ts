/**
 * npm run bench:router: the router benchmark alone (bench/router.ts), printed rather than written to
 * BENCHMARKS.md. Its last two lines are `router/nginx req/s ratio (native codec): R (…)` and the same for the node codec.
 * Options: `--rounds N`, `--duration 5s`, `--switches N`, `--workers N`.
 */
import { parseArgs } from 'node:util';
import { runRouterBench } from './router.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string' }, duration: { type: 'string' }, switches: { type: 'string' }, workers: { type: 'string' } },
});
const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
const result = await runRouterBench({
  rounds: num(values.rounds),
  duration: values.duration,
  switches: num(values.switches),
  workers: num(values.workers),
});
console.log(result.markdown.trimEnd());

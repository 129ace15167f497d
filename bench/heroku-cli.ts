/**
 * Heroku's CLI against paas (issue 24, BENCHMARKS.md "Heroku's CLI"): starts a platform with one
 * Express app, runs the everyday cases of test/heroku-cli/heroku-cases.ts with npm's `heroku` CLI 11
 * (installed on demand under test-results/.heroku-cli), and prints each case and "N passed, N failed".
 *
 *   npm run bench:heroku-cli
 */
import { herokuCases, runHerokuCases } from '../test/heroku-cli/heroku-cases.js';
import { startHerokuSession } from '../test/heroku-cli/heroku-session.js';

const started = Date.now();
const s = await startHerokuSession();
try {
  console.log(`platform up in ${s.timings.platform.toFixed(0)} s, CLI install ${s.timings.install.toFixed(0)} s, first push ${s.timings.push.toFixed(0)} s`);
  const casesStarted = Date.now();
  const results = await runHerokuCases(s, (r) => {
    const where = r.elsewhere ? ` (${r.elsewhere}: another branch)` : '';
    console.log(`${r.passed ? 'pass' : 'FAIL'}  ${r.name.padEnd(24)} ${String(r.ms).padStart(6)} ms${where}${r.passed ? '' : `\n      ${r.error?.split('\n').slice(0, 4).join('\n      ')}`}`);
  });
  const passed = results.filter((r) => r.passed).length;
  console.log(`cases: ${herokuCases.length}, in ${((Date.now() - casesStarted) / 1000).toFixed(0)} s; whole run ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`${passed} passed, ${results.length - passed} failed`);
} finally {
  await s.close();
}

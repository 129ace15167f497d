#!/usr/bin/env node
// Runs the test files with node's own test runner, straight from the TypeScript sources (tsx).
//
// Where a test lives says what it needs (CONTRIBUTING.md, "Where tests go"):
//   - unit tests: `*.test.ts` beside the code under apps/ and packages/. They need no service: no
//     PostgreSQL, Redis, Docker engine or git daemon (local files, child processes and loopback
//     sockets they open themselves are fine).
//   - integration tests: `*.int.test.ts` beside the code, against the real services.
//   - integration and end-to-end tests of whole processes: every `*.test.ts` under test/.
//
//   node scripts/run-tests.mjs                 every test, one file at a time (what `npm test` runs)
//   node scripts/run-tests.mjs --unit          the unit tests, files in parallel (`npm run test:unit`)
//   node scripts/run-tests.mjs --integration   the integration and end-to-end tests
//   ... [substr ...]                           only files whose path contains one of the substrings
//
// The unit run points DATABASE_URL, REDIS_URL and DOCKER_HOST at a closed port, so a test filed as
// a unit test that reaches for a service fails there instead of passing on a developer's machine.
// The router's tests run twice, once per HTTP/1.1 codec (PAAS_ROUTER_PARSER native, then node).
//
// The long end-to-end suites that each start a platform of their own and mostly wait (a browser, a
// Swarm cluster, provisioning over SSH; `lanes` below) run in a second lane beside the others: two
// files at a time in all, each lane one file at a time. The second lane's output is printed once it
// ends. The run ends with one line counting every test of every lane: `N passed, N failed`.
import { availableParallelism, tmpdir } from 'node:os';
import { createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { spawn } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const skip = new Set(['node_modules', 'dist', '.git']);

function find(dir, out = []) {
  let names;
  try { names = readdirSync(dir); } catch { return out; }
  for (const name of names) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path).split(sep).join('/'));
  }
  return out;
}

/** `unit` or `integration`, from the file's place and name alone. */
function kindOf(file) {
  if (file.startsWith('test/') || file.endsWith('.int.test.ts')) return 'integration';
  return 'unit';
}

/** The router's tests (its own and test/router/): they run under both HTTP/1.1 codecs. */
const isRouterTest = (f) => f.startsWith('apps/router/') || f.startsWith('test/router/');

const args = process.argv.slice(2);
const kinds = new Set();
if (args.includes('--unit')) kinds.add('unit');
if (args.includes('--integration')) kinds.add('integration');
if (kinds.size === 0) kinds.add('unit').add('integration');
const unknown = args.filter((a) => a.startsWith('--') && a !== '--unit' && a !== '--integration');
if (unknown.length > 0) {
  console.error(`unknown option ${unknown[0]} (known: --unit, --integration)`);
  process.exit(2);
}
const filters = args.filter((a) => !a.startsWith('--'));
const files = ['packages', 'apps', 'test']
  .flatMap((d) => find(join(root, d)))
  .filter((f) => kinds.has(kindOf(f)))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const unitOnly = !kinds.has('integration');
let baseEnv = process.env;
let concurrency = 1;
if (unitOnly) {
  // Port 9 (discard) is closed on loopback: a connection there is refused at once.
  baseEnv = { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:9/postgres', REDIS_URL: 'redis://127.0.0.1:9', DOCKER_HOST: 'tcp://127.0.0.1:9' };
  concurrency = Math.max(2, availableParallelism());
} else {
  // Integration tests need the real Docker engine and the base images that `npm run up` prepares.
  const docker = spawnSync('docker', ['image', 'inspect', 'paas/build:bookworm', 'paas/run:bookworm', 'paas/build:trixie', 'paas/run:trixie'], { stdio: 'ignore' });
  if (docker.status !== 0) {
    console.error('The integration tests need a running Docker engine and the paas base images: run `npm run up` first (or `npm run test:unit` for the tests that need no service).');
    process.exit(1);
  }
}

/** Paths (prefixes) of the suites that run in the second lane, beside the rest. */
const lanes = ['test/console/', 'test/swarm/', 'test/provision/', 'test/heroku-cli/', 'test/stacks/'];
const inSecondLane = (f) => !unitOnly && lanes.some((l) => f.startsWith(l));

const totals = { passed: 0, failed: 0 };
/**
 * Runs test files with node's test runner (the router's codec as `parser` says, TAP output), resolving
 * with its exit status; the report goes to this process's stdout, or to `log` (a file) when given.
 * Its closing counts are added to `totals` (read from the report: a file reporter beside it would be
 * cut short by --test-force-exit).
 */
function runTests(list, parser, log) {
  // node --test with no file looks for tests everywhere itself: a lane with nothing to run runs nothing.
  if (list.length === 0) return Promise.resolve(0);
  const child = spawn(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', '--test', '--test-force-exit', `--test-concurrency=${concurrency}`, '--test-reporter=tap', ...list],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...baseEnv, PAAS_ROUTER_PARSER: parser } },
  );
  const out = log ? createWriteStream(log) : process.stdout;
  let tail = '';
  child.stdout.on('data', (chunk) => {
    out.write(chunk);
    tail = (tail + chunk.toString()).slice(-4096);
  });
  return new Promise((resolve) =>
    child.on('close', (code) => {
      totals.passed += Number(/^# pass (\d+)$/m.exec(tail)?.[1] ?? 0);
      totals.failed += Number(/^# fail (\d+)$/m.exec(tail)?.[1] ?? 0) + Number(/^# cancelled (\d+)$/m.exec(tail)?.[1] ?? 0);
      const done = () => resolve(code ?? 1);
      if (log) out.end(done);
      else done();
    }),
  );
}

const parser = process.env.PAAS_ROUTER_PARSER ?? 'native';
const second = files.filter(inSecondLane);
const logDir = mkdtempSync(join(tmpdir(), 'paas-test-lane-'));
const secondLog = join(logDir, 'second-lane.log');
const secondLane = second.length > 0 ? runTests(second, parser, secondLog) : Promise.resolve(0);
if (second.length > 0) console.log(`# ${second.length} long end-to-end files run in a second lane beside the others: ${second.join(', ')}`);
// Everything with the router's native codec (PAAS_ROUTER_PARSER, unless the caller set it), then the
// router's own tests once more with the codec on public APIs: both must pass the same suite.
const status = await runTests(files.filter((f) => !inSecondLane(f)), parser);
const routerFiles = files.filter(isRouterTest);
let again = 0;
if (routerFiles.length > 0 && process.env.PAAS_ROUTER_PARSER === undefined) {
  console.log(`\n# the router's tests again with PAAS_ROUTER_PARSER=node (${routerFiles.length} files)`);
  again = await runTests(routerFiles, 'node');
}
const secondStatus = await secondLane;
if (second.length > 0) {
  console.log(`\n# the second lane (${second.length} files):`);
  console.log(readFileSync(secondLog, 'utf8'));
}
rmSync(logDir, { recursive: true, force: true });
console.log(`\n${totals.passed} passed, ${totals.failed} failed`);
process.exit(status || again || secondStatus);

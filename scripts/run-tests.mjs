#!/usr/bin/env node
// Runs every test file with node's own test runner, straight from the TypeScript sources (tsx).
// Unit tests live beside the code (`*.test.ts` under apps/ and packages/), integration and
// end-to-end tests under test/. Arguments narrow the run to files whose path contains one of them.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
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
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const filters = process.argv.slice(2);
/** The router's tests (its unit tests and test/router/): they run under both HTTP/1.1 codecs. */
const isRouterTest = (f) => f.startsWith('apps/router/') || f.startsWith('test/router/');
const files = ['packages', 'apps', 'test']
  .flatMap((d) => find(join(root, d)))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// Integration tests need the real Docker engine and the base images that `npm run up` prepares.
const docker = spawnSync('docker', ['image', 'inspect', 'paas/build:bookworm', 'paas/run:bookworm'], { stdio: 'ignore' });
if (docker.status !== 0) {
  console.error('The tests need a running Docker engine and the paas base images: run `npm run up` first.');
  process.exit(1);
}
/** Runs test files with node's test runner (the router's codec as `parser` says), returning its exit status. */
function runTests(list, parser) {
  const res = spawnSync(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', '--test', '--test-concurrency=1', ...list],
    { cwd: root, stdio: 'inherit', env: { ...process.env, PAAS_ROUTER_PARSER: parser } },
  );
  return res.status ?? 1;
}
// Everything with the router's native codec (PAAS_ROUTER_PARSER, unless the caller set it), then the
// router's own tests once more with the codec on public APIs: both must pass the same suite.
const status = runTests(files, process.env.PAAS_ROUTER_PARSER ?? 'native');
const routerFiles = files.filter(isRouterTest);
let again = 0;
if (routerFiles.length > 0 && process.env.PAAS_ROUTER_PARSER === undefined) {
  console.log(`\n# the router's tests again with PAAS_ROUTER_PARSER=node (${routerFiles.length} files)`);
  again = runTests(routerFiles, 'node');
}
process.exit(status || again);

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
const res = spawnSync(
  process.execPath,
  ['--conditions=development', '--import', 'tsx', '--test', '--test-concurrency=1', ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(res.status ?? 1);

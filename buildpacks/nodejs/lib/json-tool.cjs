// Small JSON helpers for the buildpack's shell scripts, run with the bootstrap Node.js:
//   get FILE PATH         print a value of a JSON file (strings raw, others as JSON), nothing if absent
//   highest               read `npm view PKG@RANGE version --json` on stdin, print the highest version
//   shell FILE            print what the build reads of package.json as shell assignments (pkg_*)
'use strict';
const fs = require('node:fs');
// npm's semver, loaded only by `highest`
const semverPath = '/opt/paas/node/lib/node_modules/npm/node_modules/semver';

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    process.stderr.write(`cannot read ${file}: ${err.message}\n`);
    process.exit(2);
  }
}

function get(file, path) {
  let value = readJson(file);
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !(key in value)) return;
    value = value[key];
  }
  if (value === undefined || value === null) return;
  process.stdout.write(typeof value === 'string' ? value : JSON.stringify(value));
}

function highest(text) {
  const semver = require(semverPath);
  const parsed = text.trim() === '' ? [] : JSON.parse(text);
  const versions = (Array.isArray(parsed) ? parsed : [parsed]).filter((v) => semver.valid(v));
  if (versions.length === 0) process.exit(1);
  process.stdout.write(semver.rsort(versions)[0]);
}

function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted(value[k])]));
}

function quote(value) {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

/** One node start instead of one per field: the build evals these lines. */
function shell(file) {
  const pkg = readJson(file);
  const str = (v) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));
  const scripts = pkg.scripts && typeof pkg.scripts === 'object' ? pkg.scripts : {};
  const engines = pkg.engines && typeof pkg.engines === 'object' ? pkg.engines : {};
  const dev = pkg.devDependencies && typeof pkg.devDependencies === 'object' ? pkg.devDependencies : {};
  const fields = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'overrides', 'workspaces'];
  const values = {
    pkg_engines_node: str(engines.node),
    pkg_engines_npm: str(engines.npm),
    pkg_script_heroku_postbuild: str(scripts['heroku-postbuild']),
    pkg_script_build: str(scripts.build),
    pkg_has_dev_dependencies: Object.keys(dev).length > 0 ? 'yes' : '',
    pkg_dependency_fingerprint: JSON.stringify(sorted(Object.fromEntries(fields.map((f) => [f, pkg[f] ?? null])))),
  };
  process.stdout.write(Object.entries(values).map(([k, v]) => `${k}=${quote(v)}\n`).join(''));
}

const [command, ...args] = process.argv.slice(2);
if (command === 'get') get(args[0], args[1]);
else if (command === 'highest') highest(fs.readFileSync(0, 'utf8'));
else if (command === 'shell') shell(args[0]);
else {
  process.stderr.write(`json-tool: unknown command ${command}\n`);
  process.exit(2);
}

// Small JSON helpers for the buildpack's shell scripts, run with the bootstrap Node.js:
//   get FILE PATH         print a value of a JSON file (strings raw, others as JSON), nothing if absent
//   highest               read `npm view PKG@RANGE version --json` on stdin, print the highest version
//   dependencies FILE     print package.json's dependency declarations as stable JSON
'use strict';
const fs = require('node:fs');
const semver = require('/opt/paas/node/lib/node_modules/npm/node_modules/semver');

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

function dependencies(file) {
  const pkg = readJson(file);
  const fields = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'overrides', 'workspaces'];
  process.stdout.write(JSON.stringify(sorted(Object.fromEntries(fields.map((f) => [f, pkg[f] ?? null])))));
}

const [command, ...args] = process.argv.slice(2);
if (command === 'get') get(args[0], args[1]);
else if (command === 'highest') highest(fs.readFileSync(0, 'utf8'));
else if (command === 'dependencies') dependencies(args[0]);
else {
  process.stderr.write(`json-tool: unknown command ${command}\n`);
  process.exit(2);
}

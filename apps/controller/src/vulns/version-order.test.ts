import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSemver } from './semver.js';
import { compareGo } from './go-version.js';
import { comparePep440 } from './pep440.js';
import { versionOrder } from './version-order.js';

function ascending(cmp: (a: string, b: string) => number | undefined, list: string[]): void {
  for (let i = 0; i < list.length; i++) {
    for (let j = 0; j < list.length; j++) {
      assert.equal(cmp(list[i]!, list[j]!), Math.sign(i - j), `${list[i]} vs ${list[j]}`);
    }
  }
}

test('semver precedence (the specification\'s own example, then numbers as numbers)', () => {
  ascending(compareSemver, ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.2.0', '1.10.0', '2.0.0']);
  assert.equal(compareSemver('1.0.0+build.1', '1.0.0+build.2'), 0, 'build metadata does not count');
  assert.equal(compareSemver('1.0', '1.0.0'), undefined);
  assert.equal(compareSemver('01.0.0', '1.0.0'), undefined);
});

test('Go: v prefix, pseudo-versions, +incompatible, toolchain versions', () => {
  ascending(compareGo, [
    'v0.0.0-20191109021931-daa7c04131f5',
    'v0.0.0-20200101000000-aaaaaaaaaaaa',
    'v0.1.0',
    'v1.2.3',
    'v1.2.4-0.20191109021931-daa7c04131f5', // pseudo-version after v1.2.3, before v1.2.4's pre-releases
    'v1.2.4-pre',
    'v1.2.4',
    'v2.0.0+incompatible',
    'v2.1.0',
  ]);
  assert.equal(compareGo('v2.0.0+incompatible', '2.0.0'), 0);
  ascending(compareGo, ['go1.20', '1.21rc2', 'go1.21.0', '1.21.4', 'go1.22.1']);
});

test('PEP 440: pre, post, dev, epochs, local versions, spellings', () => {
  ascending(comparePep440, [
    '1.0.dev456',
    '1.0a1',
    '1.0a2.dev456',
    '1.0a12.dev456',
    '1.0a12',
    '1.0b1.dev456',
    '1.0b2',
    '1.0b2.post345.dev456',
    '1.0b2.post345',
    '1.0rc1.dev456',
    '1.0rc1',
    '1.0',
    '1.0+abc.5',
    '1.0+abc.7',
    '1.0+5',
    '1.0.post456.dev34',
    '1.0.post456',
    '1.1.dev1',
    '1!0.5',
  ]);
  for (const [a, b] of [['1.0', '1.0.0'], ['1.0alpha1', '1.0a1'], ['1.0-1', '1.0.post1'], ['1.0c1', '1.0rc1'], ['v1.0', '1.0'], ['1.0.PRE1', '1.0rc1']]) {
    assert.equal(comparePep440(a!, b!), 0, `${a} = ${b}`);
  }
  assert.equal(comparePep440('not a version', '1.0'), undefined);
});

test('each ecosystem has its ordering; others none', () => {
  assert.equal(versionOrder('npm')?.('1.0.0-rc.1', '1.0.0'), -1);
  assert.equal(versionOrder('Debian:12')?.('1.0~rc1', '1.0'), -1);
  assert.equal(versionOrder('PyPI')?.('1.0rc1', '1.0'), -1);
  assert.equal(versionOrder('Go')?.('1.0.0', 'v1.0.1'), -1);
  assert.equal(versionOrder('Maven'), undefined);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { compareDpkg, parseDpkgVersion, verrevcmp } from './dpkg-version.js';

/** Each pair sorts first < second, as `dpkg --compare-versions a lt b` says. */
const ascending: [string, string][] = [
  ['1.0', '1.1'],
  ['1.0-1', '1.0-2'],
  ['1.0~rc1', '1.0'], // a tilde sorts before the end
  ['1.0~rc1', '1.0~rc2'],
  ['1.0~~', '1.0~'], // and before another tilde followed by nothing
  ['1.0~', '1.0'],
  ['1.0', '1.0+b1'], // other characters after the end
  ['1.0', '1.0a'],
  ['1.0a', '1.0+'], // letters before non-letters
  ['1.0-1', '1.0-1+deb12u1'],
  ['2.36-9', '2.36-9+deb12u4'],
  ['9:1.0', '10:0.1'], // epochs as numbers
  ['1:0.1', '2:0.0'],
  ['99.9', '1:0.1'], // no epoch is epoch 0
  ['1.2.9', '1.2.10'], // digit runs as numbers
  ['1.002', '1.3'], // leading zeros do not count
  ['3.0.11-1~deb12u1', '3.0.11-1~deb12u2'],
  ['3.0.11-1~deb12u2', '3.0.11-1'],
  ['1.0-1', '1.0.1-1'],
  ['0:1.0', '1.1'],
  ['1.0', '1.0-0.1'], // no revision sorts before any revision
];

test('dpkg ordering: epochs, tildes, revisions, digit runs (verrevcmp)', () => {
  for (const [a, b] of ascending) {
    assert.equal(compareDpkg(a, b), -1, `${a} < ${b}`);
    assert.equal(compareDpkg(b, a), 1, `${b} > ${a}`);
  }
});

test('equal versions: leading zeros, an explicit epoch 0, an empty-looking revision', () => {
  for (const [a, b] of [['1.01', '1.1'], ['0:1.0-1', '1.0-1'], ['1.0-01', '1.0-1'], ['2:1.0', '2:1.0']] as const) assert.equal(compareDpkg(a, b), 0, `${a} = ${b}`);
});

test('the revision is after the last hyphen; upstream may hold hyphens and colons after an epoch', () => {
  assert.deepEqual(parseDpkgVersion('1:2.3-4-5'), { epoch: 1, upstream: '2.3-4', revision: '5' });
  assert.deepEqual(parseDpkgVersion('2.3'), { epoch: 0, upstream: '2.3', revision: '' });
});

test('not versions: no digit first, bad epoch, blanks, empty revision', () => {
  for (const v of ['', 'abc', 'x:1.0', '1.0-', ' 1 0', '1.0_1']) assert.equal(parseDpkgVersion(v), undefined, JSON.stringify(v));
  assert.equal(compareDpkg('abc', '1.0'), undefined);
});

test("verrevcmp itself: dpkg's own cases", () => {
  assert.ok(verrevcmp('a', 'b') < 0);
  assert.ok(verrevcmp('~', '') < 0);
  assert.ok(verrevcmp('', 'a') < 0);
  assert.ok(verrevcmp('a', '.') < 0);
  assert.equal(verrevcmp('00', '0'), 0);
});

test('random versions sort as dpkg --compare-versions says (when dpkg is installed)', (t) => {
  const probe = spawnSync('dpkg', ['--version']);
  if (probe.error || probe.status !== 0) return t.skip('no dpkg here');
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const part = (): string => Array.from({ length: 1 + rand(6) }, () => '0123456789.~+abz'[rand(16)]).join('');
  const version = (): string => `${rand(4) === 0 ? `${rand(3)}:` : ''}${rand(10)}${part()}${rand(2) === 0 ? `-${rand(3)}${part()}` : ''}`;
  let checked = 0;
  for (let i = 0; i < 150; i++) {
    const [a, b] = [version(), version()];
    if (!parseDpkgVersion(a) || !parseDpkgVersion(b)) continue;
    checked++;
    const ours = compareDpkg(a, b)!;
    const op = ours < 0 ? 'lt' : ours > 0 ? 'gt' : 'eq';
    assert.equal(spawnSync('dpkg', ['--compare-versions', a, op, b]).status, 0, `${a} ${op} ${b}`);
  }
  assert.ok(checked >= 100, `only ${checked} pairs were valid versions`);
});

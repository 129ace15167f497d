import { test } from 'node:test';
import assert from 'node:assert/strict';
import { affects, type AffectedEntry } from './osv-ranges.js';
import { compareSemver } from './semver.js';
import { compareDpkg } from './dpkg-version.js';

const range = (...events: Record<string, string>[]) => ({ ranges: [{ type: 'SEMVER', events }], versions: [] });

test('introduced/fixed: affected from introduced, up to the fix excluded, with the fix named', () => {
  const e = range({ introduced: '0' }, { fixed: '4.17.21' });
  assert.deepEqual(affects(e, '4.17.20', compareSemver), { affected: true, fixed: '4.17.21' });
  assert.deepEqual(affects(e, '4.17.21', compareSemver), { affected: false });
  assert.deepEqual(affects(e, '5.0.0', compareSemver), { affected: false });
  assert.deepEqual(affects(e, '4.17.21-rc.1', compareSemver), { affected: true, fixed: '4.17.21' });
});

test('several introduced/fixed pairs in one range, unsorted as given', () => {
  const e = range({ fixed: '2.0.5' }, { introduced: '1.0.0' }, { introduced: '3.0.0' }, { fixed: '3.1.2' });
  assert.equal(affects(e, '0.9.0', compareSemver).affected, false);
  assert.deepEqual(affects(e, '2.0.0', compareSemver), { affected: true, fixed: '2.0.5' });
  assert.equal(affects(e, '2.5.0', compareSemver).affected, false);
  assert.deepEqual(affects(e, '3.1.0', compareSemver), { affected: true, fixed: '3.1.2' });
  assert.equal(affects(e, '3.1.2', compareSemver).affected, false);
});

test('last_affected includes its version; no fix: affected with none named', () => {
  const e = range({ introduced: '1.0.0' }, { last_affected: '1.4.0' });
  assert.deepEqual(affects(e, '1.4.0', compareSemver), { affected: true });
  assert.equal(affects(e, '1.4.1', compareSemver).affected, false);
  assert.deepEqual(affects(range({ introduced: '0' }), '9.9.9', compareSemver), { affected: true });
});

test('explicit versions; GIT ranges are not matched; unorderable versions are not matched by ranges', () => {
  assert.equal(affects({ ranges: [], versions: ['1.2.3'] }, '1.2.3', compareSemver).affected, true);
  assert.equal(affects({ ranges: [{ type: 'GIT', events: [{ introduced: '0' }] }], versions: [] }, '1.0.0', compareSemver).affected, false);
  assert.equal(affects(range({ introduced: '0' }, { fixed: 'garbage' }), '1.0.0', compareSemver).affected, false);
  assert.equal(affects(range({ introduced: '0' }, { fixed: '1.0.0' }), 'not-semver', compareSemver).affected, false);
});

test('Debian versions in ECOSYSTEM ranges: epochs and tildes', () => {
  const e: AffectedEntry = { ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:2.4.7-1~deb12u1' }] }], versions: [] };
  assert.deepEqual(affects(e, '1:2.4.7-1~deb12u0', compareDpkg), { affected: true, fixed: '1:2.4.7-1~deb12u1' });
  assert.equal(affects(e, '2.9.9-1', compareDpkg).affected, true, 'no epoch is below epoch 1');
  assert.equal(affects(e, '1:2.4.7-1', compareDpkg).affected, false, 'the release after the ~ backport is fixed');
  assert.equal(affects(e, '1:2.4.7-1~deb12u1', compareDpkg).affected, false);
});

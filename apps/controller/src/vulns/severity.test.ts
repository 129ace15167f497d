import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cvss3BaseScore, severityOfScore, severityOfUrgency, severityOfWord } from './severity.js';

test('CVSS v3 base scores of known vectors', () => {
  const cases: [string, number][] = [
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1], // reflected XSS
    ['CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N', 5.5],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H', 5.9],
    ['CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N', 1.6],
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
  ];
  for (const [v, score] of cases) assert.equal(cvss3BaseScore(v), score, v);
});

test('not CVSS v3 base vectors', () => {
  for (const v of ['', 'CVSS:2.0/AV:N', 'CVSS:3.1/AV:N/AC:L', 'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N']) {
    assert.equal(cvss3BaseScore(v), undefined, v);
  }
});

test('ratings from scores, words and Debian urgencies', () => {
  assert.deepEqual([9.8, 7, 6.9, 0.1, 0].map(severityOfScore), ['critical', 'high', 'medium', 'low', 'unknown']);
  assert.equal(severityOfWord('MODERATE'), 'medium');
  assert.equal(severityOfWord(3), undefined);
  assert.deepEqual(['high', 'low**', 'unimportant', 'not yet assigned', undefined].map(severityOfUrgency), ['high', 'low', 'low', 'unknown', 'unknown']);
});

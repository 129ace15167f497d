import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReleaseVulns } from './vulns.js';

test('releases:vulns: a header with the counts, one row per finding with its fixed version, the policy', () => {
  const lines = formatReleaseVulns('shop', {
    release: { version: 3, build: null },
    components: 212,
    counts: { critical: 0, high: 1, medium: 0, low: 1, unknown: 0 },
    findings: [
      { advisory: 'GHSA-aaaa', aliases: [], severity: 'high', score: 7.5, ecosystem: 'npm', package: 'lodash', version: '4.17.20', fixed: '4.17.21', summary: '' },
      { advisory: 'CVE-2099-1', aliases: [], severity: 'low', score: null, ecosystem: 'Debian:12', package: 'libssl3', version: '3.0.11-1~deb12u2', fixed: null, summary: '' },
    ],
    truncated: false,
    policy: { action: 'refuse', severity: 'high', source: 'app' },
  });
  assert.equal(lines[0], '=== shop v3: 212 components, 1 high, 1 low');
  assert.match(lines[1]!, /^SEVERITY +PACKAGE +VERSION +ADVISORY +FIXED IN$/);
  assert.match(lines[2]!, /^high 7\.5 +lodash +4\.17\.20 +GHSA-aaaa +4\.17\.21$/);
  assert.match(lines[3]!, /^low +libssl3 +3\.0\.11-1~deb12u2 +CVE-2099-1 +\(no fix yet\)$/);
  assert.equal(lines.at(-1), 'Policy: refuse at high and above (the app)');
});

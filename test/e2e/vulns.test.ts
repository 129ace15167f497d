/**
 * Inventory, vulnerability matching and the release policy end to end (issue 21): a Node.js app
 * whose lockfile pins express is pushed with the real git client; its build says what the image
 * holds, an OSV advisory written here (not fetched) is reported with its severity and fixed
 * version while one fixed at the installed version is not, a Debian tracker entry is matched in
 * dpkg order, an advisory imported later reaches the existing release, and a refusing policy
 * refuses the next push while the release before keeps serving (the allow-list that lets it through
 * is tested through the API: api/vulns.int.test.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { commitAll, gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';

interface Finding {
  advisory: string;
  package: string;
  version: string;
  severity: string;
  fixed: string | null;
}

describe('SBOM, known vulnerabilities and the release policy', { timeout: 900_000 }, () => {
  let p: Platform;
  let work: string;
  let dir: string;
  const app = `vulns-${randomBytes(3).toString('hex')}`;
  const osvFile = (name: string, records: unknown[]): Promise<string> => {
    const file = join(work, name);
    return writeFile(file, JSON.stringify(records)).then(() => file);
  };
  const advisory = (id: string, pkg: string, events: Record<string, string>[], severity: string) => ({
    id,
    modified: '2026-01-01T00:00:00Z',
    summary: `${id}: a test advisory`,
    affected: [{ package: { ecosystem: 'npm', name: pkg }, ranges: [{ type: 'SEMVER', events }] }],
    database_specific: { severity },
  });
  const findings = async (release = 'v1'): Promise<Finding[]> => {
    const res = await p.paas(['releases:vulns', release, '-a', app, '--json']);
    assert.equal(res.code, 0, res.stderr);
    return (JSON.parse(res.stdout) as { findings: Finding[] }).findings;
  };

  before(async () => {
    p = await startPlatform();
    work = await mkdtemp(join(tmpdir(), 'paas-e2e-vulns-'));
    dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/hello-express'), dir, { recursive: true });
    await gitRepo(dir);
    assert.equal((await p.paas(['apps:create', app])).code, 0);
    assert.equal((await p.paas(['git:remote', '-a', app], { cwd: dir })).code, 0);
  });
  after(async () => {
    if (process.exitCode) console.log(await p?.logs());
    await p?.paas(['apps:destroy', app, '--confirm', app]);
    await p?.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('the push says what the image holds; the pinned express is reported with severity and fixed version, the fixed one is not', async () => {
    const lock = JSON.parse(await readFile(join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
    const express = lock.packages['node_modules/express']!.version;
    const [maj, min, patch] = express.split('.').map(Number) as [number, number, number];
    const next = `${maj}.${min}.${patch + 1}`;
    const file = await osvFile('osv.json', [
      advisory('PAAS-TEST-EXPRESS-1', 'express', [{ introduced: '0' }, { fixed: next }], 'HIGH'),
      advisory('PAAS-TEST-EXPRESS-0', 'express', [{ introduced: '0' }, { fixed: express }], 'CRITICAL'),
    ]);
    const imported = await p.paas(['admin:vulndb:import', file, '--json']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(JSON.parse(imported.stdout).advisories, 2);

    const push = await gitPush(p, dir);
    if (process.env['PAAS_TEST_SHOW']) console.log(push.output);
    assert.equal(push.code, 0, push.output);
    assert.match(push.output, /-----> Inventory: \d+ Debian packages, \d+ npm packages, 0 Python, 0 Go \(runtime: node 22\.\d+\.\d+\)/);
    assert.match(push.output, /Vulnerabilities: 1 high/);
    assert.match(push.output, new RegExp(`Warning: 1 known vulnerability at or above high[\\s\\S]*express ${express.replace(/\./g, '\\.')}: PAAS-TEST-EXPRESS-1 \\(high\\), fixed in ${next.replace(/\./g, '\\.')}`));

    const list = await findings();
    assert.deepEqual(
      list.map((f) => [f.advisory, f.package, f.version, f.severity, f.fixed]),
      [['PAAS-TEST-EXPRESS-1', 'express', express, 'high', next]],
    );

    const sbom = await p.paas(['releases:sbom', '-a', app]);
    assert.equal(sbom.code, 0, sbom.stderr);
    const doc = JSON.parse(sbom.stdout) as { bomFormat: string; metadata: { properties: { name: string; value: string }[] }; components: { name: string; version: string; purl: string; properties: { name: string; value: string }[] }[] };
    assert.equal(doc.bomFormat, 'CycloneDX');
    const expressComponent = doc.components.find((c) => c.name === 'express');
    assert.equal(expressComponent?.version, express);
    assert.match(expressComponent?.properties.find((x) => x.name === 'paas:layer')?.value ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.ok(doc.components.some((c) => c.purl.startsWith('pkg:deb/debian/')), 'the run image\'s Debian packages');
    const spdx = await p.paas(['releases:sbom', 'v1', '-a', app, '--format', 'spdx']);
    assert.equal(JSON.parse(spdx.stdout).spdxVersion, 'SPDX-2.3');

    // A Debian package of the run image, matched by its source package in dpkg order: a fix in a
    // later ~ backport applies; one sorting below the installed version (a tilde) does not.
    const deb = doc.components.find((c) => c.purl.startsWith('pkg:deb/') && !c.version.includes(':'))!;
    const [source, sourceVersion] = deb.properties.find((x) => x.name === 'paas:deb:source')!.value.split(' ') as [string, string];
    // The app's stack decides the Debian release (`debian 13 trixie`): the tracker names it by codename.
    const codename = doc.metadata.properties.find((x) => x.name === 'paas:os')!.value.split(' ')[2]!;
    const tracker = {
      [source]: {
        'CVE-2099-7001': { description: 'later backport', releases: { [codename]: { status: 'resolved', fixed_version: `${sourceVersion}+deb99u99`, urgency: 'medium' } } },
        'CVE-2099-7002': { description: 'tilde below', releases: { [codename]: { status: 'resolved', fixed_version: `${sourceVersion}~pre1`, urgency: 'high' } } },
        'CVE-2099-7003': { description: 'epoch', releases: { [codename]: { status: 'resolved', fixed_version: `1:${sourceVersion}`, urgency: 'low' } } },
      },
    };
    const trackerFile = join(work, 'tracker.json');
    await writeFile(trackerFile, JSON.stringify(tracker));
    assert.equal((await p.paas(['admin:vulndb:import', trackerFile])).code, 0);
    const debFindings = (await findings()).filter((f) => f.advisory.startsWith('CVE-2099-7'));
    assert.deepEqual(debFindings.map((f) => [f.advisory, f.fixed]).sort(), [['CVE-2099-7001', `${sourceVersion}+deb99u99`], ['CVE-2099-7003', `1:${sourceVersion}`]]);
  });

  test('an advisory imported later shows up on the existing release; apps:vulns counts it', async () => {
    const lock = JSON.parse(await readFile(join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
    const qs = lock.packages['node_modules/qs']!.version;
    const file = await osvFile('later.json', [advisory('PAAS-TEST-QS-1', 'qs', [{ introduced: '0' }, { last_affected: qs }], 'MODERATE')]);
    const imported = await p.paas(['admin:vulndb:import', file]);
    assert.equal(imported.code, 0, imported.stderr);
    const later = (await findings()).find((f) => f.advisory === 'PAAS-TEST-QS-1');
    assert.deepEqual(later && [later.package, later.version, later.severity, later.fixed], ['qs', qs, 'medium', null]);
    const all = await p.paas(['apps:vulns', '--json']);
    const mine = (JSON.parse(all.stdout) as { app: string; counts: Record<string, number> }[]).find((a) => a.app === app);
    assert.equal(mine?.counts['high'], 1);
    assert.equal(mine?.counts['medium'], 2);
  });

  test('a refusing policy refuses the push, naming package, version, advisory and fix; the release before keeps serving', async () => {
    const set = await p.paas(['vulns:policy:set', 'refuse', '--severity', 'high', '-a', app]);
    assert.equal(set.code, 0, set.stderr);
    await writeFile(join(dir, 'index.js'), (await readFile(join(dir, 'index.js'), 'utf8')).replace('hello from paas v1', 'hello from paas v2'));
    await commitAll(dir, 'v2');
    const push = await gitPush(p, dir);
    if (process.env['PAAS_TEST_SHOW']) console.log(push.output);
    assert.notEqual(push.code, 0, push.output);
    assert.match(push.output, /Release refused: 1 known vulnerability at or above high/);
    assert.match(push.output, /express \d+\.\d+\.\d+: PAAS-TEST-EXPRESS-1 \(high\), fixed in \d+\.\d+\.\d+/);
    const served = await p.get(app);
    assert.match(served.body, /hello from paas v1/);
    const releases = await p.paas(['releases', '-a', app, '--json']);
    assert.deepEqual((JSON.parse(releases.stdout) as { version: number }[]).map((r) => r.version), [1]);

  });
});

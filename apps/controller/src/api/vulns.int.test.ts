// SBOMs, advisory imports, matching and release policies through the API, against the real
// PostgreSQL (the in-memory runtime): findings with their severity and fixed version, an advisory
// imported later reaching an old release, hostile uploads refused with a 4xx, other tenants kept out.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync, gunzipSync } from 'node:zlib';
import request from 'supertest';
import { cycloneDxDocumentSchema, releaseVulnsSchema, spdxDocumentSchema } from '@paas/shared/api-contract';
import { findAppByName } from '../db/apps.js';
import { testSbom } from '../vulns/test-sbom.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';

/** A zip of files (deflated), as OSV's all.zip; `lie` makes the header understate the inflated size. */
function zip(files: Record<string, Buffer>, o: { lie?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = deflateRawSync(content);
    const n = Buffer.from(name);
    const size = o.lie ? 10 : content.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    centrals.push(central, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const osv = (id: string, pkg: { ecosystem: string; name: string }, events: Record<string, string>[], extra: Record<string, unknown> = {}) => ({
  id,
  modified: '2026-01-01T00:00:00Z',
  summary: `${id} summary`,
  affected: [{ package: pkg, ranges: [{ type: pkg.ecosystem === 'npm' ? 'SEMVER' : 'ECOSYSTEM', events }] }],
  ...extra,
});

const lodashHigh = osv('GHSA-test-lodash-0001', { ecosystem: 'npm', name: 'lodash' }, [{ introduced: '0' }, { fixed: '4.17.21' }], {
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
  aliases: ['CVE-2099-0001'],
});
// Fixed at the version the image has: not a finding.
const lodashOld = osv('GHSA-test-lodash-0002', { ecosystem: 'npm', name: 'lodash' }, [{ introduced: '0' }, { fixed: '4.17.20' }], { database_specific: { severity: 'CRITICAL' } });

const upload = (h: ApiHarness, admin: { token: string }, body: Buffer | string, type = 'application/json') =>
  request(h.app).post('/admin/vulndb/imports').set(as(admin)).set('content-type', type).send(body);

describe('SBOMs and known vulnerabilities', () => {
  let h: ApiHarness;
  let admin: { token: string; user: { id: string } };
  let alice: { token: string; user: { id: string } };
  let bob: { token: string; user: { id: string } };
  let carol: { token: string; user: { id: string } };

  before(async () => {
    h = await createApiHarness({ vulnDbMaxBytes: 64 * 1024 });
    admin = await h.user('admin@example.com', 'admin');
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
    carol = await h.user('carol@example.com');
    const { app, buildId } = await deployedApp(h, 'vshop', alice.user.id, { collaborators: [carol.user.id] });
    await h.vulns.recordBuild(
      app.id,
      buildId,
      testSbom([
        { ecosystem: 'npm', name: 'lodash', version: '4.17.20', license: 'MIT' },
        { ecosystem: 'npm', name: '@scope/pkg', version: '1.0.0' },
        { ecosystem: 'deb', name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'openssl 3.0.11-1~deb12u2' },
        { ecosystem: 'deb', name: 'tzdata', version: '2024a-0+deb12u1', source: 'tzdata 2024a-0+deb12u1' },
        { ecosystem: 'pypi', name: 'Requests', version: '2.31.0' },
        { ecosystem: 'golang', name: 'golang.org/x/net', version: 'v0.0.0-20220722155237-a158d28d115b' },
      ]),
    );
  });
  after(() => h.close());

  test('an OSV npm advisory and the Debian tracker: findings with their severity and fixed version, in dpkg order', async () => {
    const imported = await upload(h, admin, JSON.stringify([lodashHigh, lodashOld])).expect(200);
    assert.deepEqual(imported.body, { format: 'osv-json', advisories: 2, affected: 2, builds: 1, findings: 1 });
    const tracker = {
      openssl: {
        // fixed in the bookworm security update after the installed ~deb12u2: affected (tilde ordering)
        'CVE-2099-1000': { description: 'openssl flaw', scope: 'local', releases: { bookworm: { status: 'resolved', fixed_version: '3.0.11-1~deb12u3', urgency: 'medium' } } },
        // fixed in an upload sorting below the installed one: not affected
        'CVE-2099-1001': { description: 'old', scope: 'local', releases: { bookworm: { status: 'resolved', fixed_version: '3.0.11-1~deb12u1', urgency: 'high' } } },
        // fixed with an epoch: 1:1.0 sorts after every version without one
        'CVE-2099-1002': { description: 'epoch', scope: 'local', releases: { bookworm: { status: 'resolved', fixed_version: '1:1.0-1', urgency: 'low' } } },
        'CVE-2099-1003': { description: 'never affected', scope: 'local', releases: { bookworm: { status: 'resolved', fixed_version: '0', urgency: 'high' } } },
      },
      tzdata: { 'CVE-2099-1004': { description: 'other release', scope: 'local', releases: { bullseye: { status: 'open', urgency: 'high' } } } },
    };
    const deb = await upload(h, admin, JSON.stringify(tracker)).expect(200);
    assert.equal(deb.body.format, 'debian-tracker');
    const res = await request(h.app).get('/apps/vshop/releases/v1/vulns').set(as(alice)).expect(200);
    releaseVulnsSchema.parse(res.body);
    const got = res.body.findings.map((f: { advisory: string; package: string; version: string; severity: string; fixed: string | null; score: number | null }) => [f.advisory, f.package, f.version, f.severity, f.fixed, f.score]);
    assert.deepEqual(got, [
      ['GHSA-test-lodash-0001', 'lodash', '4.17.20', 'high', '4.17.21', 7.5],
      ['CVE-2099-1000', 'libssl3', '3.0.11-1~deb12u2', 'medium', '3.0.11-1~deb12u3', null],
      ['CVE-2099-1002', 'libssl3', '3.0.11-1~deb12u2', 'low', '1:1.0-1', null],
    ]);
    assert.deepEqual(res.body.counts, { critical: 0, high: 1, medium: 1, low: 1, unknown: 0 });
    const high = await request(h.app).get('/apps/vshop/releases/current/vulns?severity=high').set(as(alice)).expect(200);
    assert.deepEqual(high.body.findings.map((f: { advisory: string }) => f.advisory), ['GHSA-test-lodash-0001']);
  });

  test('a new advisory imported later (a zip of OSV records) shows up on the existing release; the fixed version does not', async () => {
    const later = osv('PYSEC-2099-1', { ecosystem: 'PyPI', name: 'requests' }, [{ introduced: '2.0' }, { fixed: '2.32.0' }], { database_specific: { severity: 'MODERATE' } });
    const goVuln = osv('GO-2099-0001', { ecosystem: 'Go', name: 'golang.org/x/net' }, [{ introduced: '0' }, { fixed: '0.7.0' }], { database_specific: { severity: 'HIGH' } });
    const fixedGo = osv('GO-2099-0002', { ecosystem: 'Go', name: 'golang.org/x/net' }, [{ introduced: '0' }, { fixed: '0.0.0-20210101000000-aaaaaaaaaaaa' }]);
    const res = await upload(h, admin, zip({ 'PYSEC-2099-1.json': Buffer.from(JSON.stringify(later)), 'GO-2099-0001.json': Buffer.from(JSON.stringify(goVuln)), 'GO-2099-0002.json': Buffer.from(JSON.stringify(fixedGo)) }), 'application/zip').expect(200);
    assert.equal(res.body.format, 'osv-zip');
    const v = await request(h.app).get('/apps/vshop/releases/v1/vulns').set(as(alice)).expect(200);
    const ids = v.body.findings.map((f: { advisory: string }) => f.advisory);
    assert.ok(ids.includes('PYSEC-2099-1'), ids.join(' '));
    assert.ok(ids.includes('GO-2099-0001'), 'a pseudo-version before the fix');
    assert.ok(!ids.includes('GO-2099-0002'), 'a pseudo-version after the fix');
    assert.equal(v.body.findings.find((f: { advisory: string }) => f.advisory === 'PYSEC-2099-1').fixed, '2.32.0');
    const all = await request(h.app).get('/vulns').set(as(alice)).expect(200);
    assert.deepEqual(all.body, [{ app: 'vshop', release: 1, has_sbom: true, counts: { critical: 0, high: 2, medium: 2, low: 1, unknown: 0 } }]);
  });

  test('the SBOM as CycloneDX (gzip as stored, or plain) and as SPDX 2.3', async () => {
    const gz = await request(h.app).get('/apps/vshop/releases/v1/sbom').set(as(alice)).set('accept-encoding', 'gzip').buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    const plain = await request(h.app).get('/apps/vshop/releases/v1/sbom').set(as(alice)).set('accept-encoding', 'identity').expect(200);
    const doc = cycloneDxDocumentSchema.parse(JSON.parse(plain.text));
    assert.equal(doc.components.length, 6);
    const spdx = await request(h.app).get('/apps/vshop/releases/v1/sbom?format=spdx').set(as(alice)).expect(200);
    const s = spdxDocumentSchema.parse(spdx.body);
    assert.equal(s.packages.length, 7);
    assert.equal(s.packages.find((p) => p.name === 'lodash')?.licenseDeclared, 'MIT');
    assert.equal(s.relationships.filter((r) => r.relationshipType === 'CONTAINS').length, 6);
    await request(h.app).get('/apps/vshop/releases/v1/sbom?format=xml').set(as(alice)).expect(422);
    await request(h.app).get('/apps/vshop/releases/v9/sbom').set(as(alice)).expect(404);
    await request(h.app).get('/apps/vshop/releases/zz/sbom').set(as(alice)).expect(422);
  });

  test('other tenants cannot read the SBOM, the findings or the policy, nor set it; a collaborator reads but cannot allow', async () => {
    for (const path of ['/apps/vshop/releases/v1/sbom', '/apps/vshop/releases/v1/vulns', '/apps/vshop/vuln-policy', '/apps/vshop/vuln-allowlist']) {
      await request(h.app).get(path).set(as(bob)).expect(404);
      await request(h.app).get(path).expect(401);
    }
    await request(h.app).put('/apps/vshop/vuln-policy').set(as(bob)).send({ action: 'off' }).expect(404);
    assert.deepEqual((await request(h.app).get('/vulns').set(as(bob)).expect(200)).body, []);
    await request(h.app).get('/apps/vshop/releases/v1/vulns').set(as(carol)).expect(200);
    await request(h.app).put('/apps/vshop/vuln-policy').set(as(carol)).send({ action: 'off' }).expect(403);
    await request(h.app).put('/apps/vshop/vuln-allowlist/GHSA-test-lodash-0001').set(as(carol)).send({ expires_at: '2030-01-01T00:00:00Z' }).expect(403);
    await upload(h, alice, JSON.stringify([lodashHigh])).expect(403);
  });

  test('hostile databases: a zip bomb, a lying zip, a huge record, garbage, nothing, too large: each a clear 4xx', async () => {
    const bomb = zip({ 'bomb.json': Buffer.alloc(8 << 20, 0x20) });
    assert.ok(bomb.length < 64 * 1024, 'the bomb fits the upload limit');
    assert.match((await upload(h, admin, bomb, 'application/zip').expect(413)).body.message, /inflates to \d+ bytes/);
    const liar = zip({ 'bomb.json': Buffer.alloc(8 << 20, 0x20) }, { lie: true });
    assert.match((await upload(h, admin, liar, 'application/zip').expect(413)).body.message, /inflates past/);
    const huge = osv('GHSA-huge', { ecosystem: 'npm', name: 'x' }, Array.from({ length: 600 }, (_, i) => ({ introduced: `${i}.0.0` })));
    assert.match((await upload(h, admin, JSON.stringify([huge])).expect(422)).body.message, /more than 500 events/);
    await upload(h, admin, '{"not": "a database"').expect(422);
    await upload(h, admin, '{"neither": 1}').expect(422);
    await upload(h, admin, JSON.stringify([{ id: 7 }])).expect(422);
    await upload(h, admin, Buffer.from('PK\u0003\u0004 truncated'), 'application/zip').expect(422);
    await upload(h, admin, '').expect(422);
    assert.equal((await upload(h, admin, ' '.repeat(100 * 1024)).expect(413)).body.id, 'payload_too_large');
    await request(h.app).post('/admin/vulndb/imports').set(as(admin)).set('content-encoding', 'gzip').send(Buffer.from('x')).expect(415);
    const status = await request(h.app).get('/admin/vulndb').set(as(admin)).expect(200);
    assert.equal(status.body.advisories, 9, 'nothing of the refused uploads was stored');
  });

  test('policy: refuse names package, version, advisory and fixed version; an allow-list entry lets it through until it expires', async () => {
    const app = (await findAppByName(h.db.pool, 'vshop'))!;
    const buildId = (await h.db.pool.query<{ build_id: string }>('SELECT build_id FROM build_sboms WHERE app_id = $1', [app.id])).rows[0]!.build_id;
    const lines: string[] = [];
    await h.vulns.checkRelease(app, buildId, (l) => lines.push(l));
    assert.match(lines.join('\n'), /Vulnerabilities: 2 high, 2 medium, 1 low/);
    assert.match(lines.join('\n'), /Warning: 2 known vulnerabilities at or above high/, 'the platform default warns');

    await request(h.app).put('/apps/vshop/vuln-policy').set(as(alice)).send({ action: 'refuse', severity: 'high' }).expect(200);
    await assert.rejects(h.vulns.checkRelease(app, buildId, () => undefined), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'release_blocked');
      assert.match(err.message, /lodash 4\.17\.20: GHSA-test-lodash-0001 \(high\), fixed in 4\.17\.21/);
      assert.match(err.message, /golang\.org\/x\/net v0\.0\.0-20220722155237-a158d28d115b: GO-2099-0001 \(high\), fixed in 0\.7\.0/);
      return true;
    });
    const in1h = new Date(Date.now() + 3600_000).toISOString();
    await request(h.app).put('/apps/vshop/vuln-allowlist/CVE-2099-0001').set(as(alice)).send({ expires_at: in1h, reason: 'alias of the lodash advisory' }).expect(200);
    await request(h.app).put('/apps/vshop/vuln-allowlist/GO-2099-0001').set(as(alice)).send({ expires_at: in1h }).expect(200);
    const ok: string[] = [];
    await h.vulns.checkRelease(app, buildId, (l) => ok.push(l));
    assert.match(ok.join('\n'), /allowed until .*GHSA-test-lodash-0001/);
    await h.db.pool.query("UPDATE vuln_allowlist SET expires_at = now() - interval '1 second' WHERE advisory_id = 'GO-2099-0001'");
    await assert.rejects(h.vulns.checkRelease(app, buildId, () => undefined), /GO-2099-0001/);
    const listed = await request(h.app).get('/apps/vshop/vuln-allowlist').set(as(carol)).expect(200);
    assert.deepEqual(listed.body.map((e: { advisory: string; expired: boolean }) => [e.advisory, e.expired]), [['CVE-2099-0001', false], ['GO-2099-0001', true]]);

    await request(h.app).put('/apps/vshop/vuln-policy').set(as(alice)).send({ action: 'sometimes' }).expect(422);
    await request(h.app).put('/apps/vshop/vuln-allowlist/GHSA-x').set(as(alice)).send({ expires_at: '2001-01-01T00:00:00Z' }).expect(422);
    await request(h.app).put('/apps/vshop/vuln-allowlist/GHSA-x').set(as(alice)).send({ expires_at: '2999-01-01T00:00:00Z' }).expect(422);
    await request(h.app).put(`/apps/vshop/vuln-allowlist/${encodeURIComponent('bad id!')}`).set(as(alice)).send({ expires_at: in1h }).expect(422);
    await request(h.app).delete('/apps/vshop/vuln-allowlist/NOPE-1').set(as(alice)).expect(404);
    const reset = await request(h.app).delete('/apps/vshop/vuln-policy').set(as(alice)).expect(200);
    assert.deepEqual(reset.body, { action: 'warn', severity: 'high', source: 'platform' });
    assert.ok(gunzipSync);
  });
});

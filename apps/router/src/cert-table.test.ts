import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { SecureContext } from 'node:tls';
import { makeTestCert, SecretBox, type CertEntry, type TestCert } from '@paas/shared';
import { CertTable, namesOf } from './cert-table.js';

const box = new SecretBox('s'.repeat(40));

function entry(id: string, c: TestCert, names: string[], expiresAt = '2030-01-01T00:00:00Z'): CertEntry {
  return { id, app: 'a', names, cert: c.cert, sealedKey: box.seal(c.key), expiresAt };
}

describe('CertTable', () => {
  let exact: TestCert;
  let wild: TestCert;
  let platform: TestCert;
  before(async () => {
    [exact, wild, platform] = await Promise.all([makeTestCert(['www.shop.test']), makeTestCert(['*.shop.test']), makeTestCert(['*.paas.test'])]);
  });
  after(async () => {
    for (const c of [exact, wild, platform]) await c.cleanup();
  });

  test('a name picks an exact certificate, then a one-label wildcard, then the platform certificate', () => {
    const t = new CertTable((s) => box.open(s));
    assert.equal(t.contextFor('www.shop.test'), undefined, 'nothing yet');
    t.set(entry('w', wild, ['*.shop.test']));
    t.set(entry('e', exact, ['www.shop.test']));
    const ctxE = t.contextFor('WWW.shop.test');
    const ctxW = t.contextFor('api.shop.test');
    assert.ok(ctxE && ctxW && ctxE !== ctxW);
    assert.equal(t.contextFor('a.b.shop.test'), undefined, 'a wildcard covers one label');
    assert.equal(t.contextFor('shop.test'), undefined);
    t.setPlatform({ cert: platform.cert, key: platform.key });
    const ctxP = t.contextFor('hello.paas.test');
    assert.ok(ctxP);
    assert.equal(t.contextFor('other.example'), ctxP, 'the platform certificate is the fallback');
    assert.ok(t.covers('www.shop.test') && t.covers('api.shop.test') && t.covers('hello.paas.test'));
    assert.equal(t.covers('other.example'), false, 'served, but it does not name the host');
  });

  test('replacing and deleting; the later-expiring certificate wins; a key that does not open is refused', () => {
    const t = new CertTable((s) => box.open(s));
    t.set(entry('old', exact, ['www.shop.test'], '2027-01-01T00:00:00Z'));
    const first = t.contextFor('www.shop.test');
    t.set(entry('new', exact, ['www.shop.test'], '2029-01-01T00:00:00Z'));
    const second = t.contextFor('www.shop.test');
    assert.notEqual(first, second);
    assert.equal(t.delete('new'), true);
    assert.equal(t.contextFor('www.shop.test'), first);
    t.set(entry('old', wild, ['*.shop.test']));
    assert.equal(t.contextFor('www.shop.test'), t.contextFor('api.shop.test'), 'the replaced entry lost its old names: the wildcard serves');
    assert.equal(t.size, 1);
    const bad: CertEntry = { ...entry('bad', exact, ['x.test']), sealedKey: new SecretBox('t'.repeat(40)).seal(exact.key) };
    assert.throws(() => t.set(bad), /wrong secret/);
    assert.equal(t.get('bad'), undefined);
    assert.equal(t.contextFor('x.test') as SecureContext | undefined, undefined);
  });

  test('namesOf reads subjectAltName DNS names', () => {
    assert.deepEqual(namesOf(new X509Certificate(wild.cert)), ['*.shop.test']);
  });
});

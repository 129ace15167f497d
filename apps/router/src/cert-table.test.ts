import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { SecureContext } from 'node:tls';
import { SecretBox, type CertEntry } from '@paas/shared';
import { CertTable, namesOf } from './cert-table.js';
import { makeTestCert, type TestCert } from '@paas/test-kit';

const box = new SecretBox('s'.repeat(40));

function entry(id: string, c: TestCert, names: string[], expiresAt = '2030-01-01T00:00:00Z', app = 'a'): CertEntry {
  return { id, app, names, cert: c.cert, sealedKey: box.seal(c.key), expiresAt };
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

  test('a name picks an exact certificate of its app, then a one-label wildcard, then the platform certificate', () => {
    const t = new CertTable((s) => box.open(s));
    assert.equal(t.contextFor('www.shop.test', 'a'), undefined, 'nothing yet');
    t.set(entry('w', wild, ['*.shop.test']));
    t.set(entry('e', exact, ['www.shop.test']));
    const ctxE = t.contextFor('WWW.shop.test', 'a');
    const ctxW = t.contextFor('api.shop.test', 'a');
    assert.ok(ctxE && ctxW && ctxE !== ctxW);
    assert.equal(t.contextFor('a.b.shop.test', 'a'), undefined, 'a wildcard covers one label');
    assert.equal(t.contextFor('shop.test', 'a'), undefined);
    t.setPlatform({ cert: platform.cert, key: platform.key });
    const ctxP = t.contextFor('hello.paas.test', undefined);
    assert.ok(ctxP);
    assert.equal(t.contextFor('other.example', 'a'), ctxP, 'the platform certificate is the fallback');
    assert.ok(t.covers('www.shop.test', 'a') && t.covers('api.shop.test', 'a') && t.covers('hello.paas.test', 'b'));
    assert.equal(t.covers('other.example', 'a'), false, 'served, but it does not name the host');
  });

  test('a certificate is served only for hosts of its own app, however late it expires', () => {
    const t = new CertTable((s) => box.open(s));
    t.setPlatform({ cert: platform.cert, key: platform.key });
    t.set(entry('mine', exact, ['www.shop.test'], '2027-01-01T00:00:00Z', 'shop'));
    // Another app's certificate for the same names and the platform's, expiring far later.
    t.set(entry('theirs', wild, ['www.shop.test', '*.shop.test', '*.paas.test'], '2099-01-01T00:00:00Z', 'evil'));
    const mine = t.contextFor('www.shop.test', 'shop');
    const ctxP = t.contextFor('nowhere.paas.test', undefined);
    assert.notEqual(mine, t.contextFor('www.shop.test', 'evil'));
    assert.equal(t.contextFor('api.shop.test', 'shop'), ctxP, 'the other app’s wildcard is not the shop’s');
    assert.equal(t.contextFor('shop.paas.test', 'shop'), ctxP);
    assert.equal(t.contextFor('shop.paas.test', undefined), ctxP);
    assert.equal(t.covers('api.shop.test', 'shop'), false);
    t.delete('mine');
    assert.equal(t.contextFor('www.shop.test', 'shop'), ctxP, 'without its own certificate, the app gets the platform’s');
  });

  test('replacing and deleting; the later-expiring certificate wins; a key that does not open is refused', () => {
    const t = new CertTable((s) => box.open(s));
    t.set(entry('old', exact, ['www.shop.test'], '2027-01-01T00:00:00Z'));
    const first = t.contextFor('www.shop.test', 'a');
    t.set(entry('new', exact, ['www.shop.test'], '2029-01-01T00:00:00Z'));
    const second = t.contextFor('www.shop.test', 'a');
    assert.notEqual(first, second);
    assert.equal(t.delete('new'), true);
    assert.equal(t.contextFor('www.shop.test', 'a'), first);
    t.set(entry('old', wild, ['*.shop.test']));
    assert.equal(t.contextFor('www.shop.test', 'a'), t.contextFor('api.shop.test', 'a'), 'the replaced entry lost its old names: the wildcard serves');
    assert.equal(t.size, 1);
    const bad: CertEntry = { ...entry('bad', exact, ['x.test']), sealedKey: new SecretBox('t'.repeat(40)).seal(exact.key) };
    assert.throws(() => t.set(bad), /wrong secret/);
    assert.equal(t.get('bad'), undefined);
    assert.equal(t.contextFor('x.test', 'a') as SecureContext | undefined, undefined);
  });

  test('namesOf reads subjectAltName DNS names', () => {
    assert.deepEqual(namesOf(new X509Certificate(wild.cert)), ['*.shop.test']);
  });
});

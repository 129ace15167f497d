import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCertPair } from './cert-pem.js';
import { makeTestCert, type TestCert } from '@paas/test-kit';

describe('checkCertPair', () => {
  let a: TestCert;
  let b: TestCert;
  before(async () => {
    a = await makeTestCert(['www.example.com', '*.example.com'], { days: 10 });
    b = await makeTestCert(['shop.example.org']);
  });
  after(async () => {
    await a.cleanup();
    await b.cleanup();
  });

  test('a matching pair gives its names, expiry, subject and fingerprint', () => {
    const c = checkCertPair(a.cert, a.key);
    assert.deepEqual(c.names, ['www.example.com', '*.example.com']);
    assert.ok(c.expiresAt.getTime() > Date.now() + 9 * 86_400_000 && c.expiresAt.getTime() < Date.now() + 11 * 86_400_000);
    assert.match(c.subject, /CN=www\.example\.com/);
    assert.match(c.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.match(c.keyPem, /^-----BEGIN PRIVATE KEY-----/);
    assert.match(c.chain, /^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\n$/);
  });

  test('refusals name the field and the problem', () => {
    const refused = (cert: string, key: string, pattern: RegExp, now?: Date) =>
      assert.throws(() => checkCertPair(cert, key, now), (err: Error & { code?: string }) => err.code === 'invalid_params' && pattern.test(err.message));
    refused('not a certificate', a.key, /^certificate_chain: no PEM certificate/);
    refused('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', a.key, /^certificate_chain: certificate 1 does not parse/);
    refused(a.cert, 'garbage', /^private_key: not a PEM private key/);
    refused(a.cert, '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----', /^private_key: encrypted keys/);
    refused(a.cert, b.key, /^private_key: does not match the certificate/);
    refused(a.cert, a.key, /^certificate_chain: the certificate expired on/, new Date(Date.now() + 20 * 86_400_000));
    refused(a.cert, a.key, /^certificate_chain: the certificate is not valid before/, new Date(Date.now() - 86_400_000));
  });

  test('a certificate PEM followed by garbage is refused (issue 23), and so is a key with text around it', () => {
    const refused = (cert: string, key: string, pattern: RegExp) =>
      assert.throws(() => checkCertPair(cert, key), (err: Error & { code?: string }) => err.code === 'invalid_params' && pattern.test(err.message));
    refused(`${a.cert}garbage`, a.key, /^certificate_chain: holds text outside its PEM certificates \("garbage"\)/);
    refused(`junk\n${a.cert}`, a.key, /^certificate_chain: holds text outside/);
    refused(`${a.cert}\n${a.key}`, a.key, /^certificate_chain: holds text outside/);
    refused(a.cert, `${a.key}\nmore`, /^private_key: must be one PEM private key and nothing else/);
    refused(a.cert, `${a.key}${b.key}`, /^private_key: must be one PEM private key/);
    // Whitespace between and around the blocks is fine.
    assert.deepEqual(checkCertPair(`\n${a.cert}\n\n`, `${a.key}\n\n`).names, ['www.example.com', '*.example.com']);
  });
});

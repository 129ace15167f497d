import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '@paas/shared';
import { transportFor } from './drain-transports.js';
import { displayDrainUrl, forbiddenDrainAddress, parseDrainUrl } from './drain-url.js';

function refusal(raw: string): string {
  try {
    parseDrainUrl(raw);
  } catch (err) {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'invalid_params');
    assert.equal(err.status, 422);
    return err.message;
  }
  assert.fail(`${raw} was accepted`);
}

test('accepts https and syslog drains', () => {
  assert.deepEqual(parseDrainUrl('syslog+tls://logs.example.com:6514'), { kind: 'syslog', tls: true, host: 'logs.example.com', port: 6514 });
  assert.deepEqual(parseDrainUrl('syslog://10.0.0.5:514/'), { kind: 'syslog', tls: false, host: '10.0.0.5', port: 514 });
  assert.deepEqual(parseDrainUrl('syslog://[::1]:514'), { kind: 'syslog', tls: false, host: '::1', port: 514 });
  const https = parseDrainUrl('https://user:pw@logs.example.com/drain?x=1');
  assert.equal(https.kind, 'https');
});

test('refuses malformed URLs and unsupported schemes, naming the rule', () => {
  for (const [raw, reason] of [
    ['not a url', /must not contain spaces/],
    ['logs.example.com:514', /scheme logs\.example\.com is not supported/],
    ['::::', /is not a URL/],
    ['ftp://logs.example.com/', /scheme ftp is not supported/],
    ['http://logs.example.com/', /plain http/],
    ['syslog://logs.example.com', /needs a port/],
    ['syslog://logs.example.com:514/path', /no path/],
    ['syslog+tls://u:p@logs.example.com:6514', /no user/],
    ['https://logs.example.com/#x', /fragment/],
    ['', /is required/],
    [`https://logs.example.com/${'a'.repeat(3000)}`, /longer than/],
  ] as const) {
    const message = refusal(raw);
    assert.match(message, reason, raw);
    assert.match(message, /drain URLs are https:\/\/host\/path, syslog\+tls:\/\/host:port or syslog:\/\/host:port/);
  }
});

test('passwords are masked when shown', () => {
  assert.equal(displayDrainUrl('https://user:secret@logs.example.com/x'), 'https://user:***@logs.example.com/x');
});

test('loopback, link-local and unspecified addresses are not drain targets; private networks are', () => {
  for (const ip of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '169.254.169.254', 'fe80::1', '0.0.0.0', '::']) {
    assert.ok(forbiddenDrainAddress(ip), ip);
  }
  for (const ip of ['10.0.0.5', '192.168.1.2', '172.16.0.1', '203.0.113.9', '2001:db8::1']) assert.equal(forbiddenDrainAddress(ip), undefined, ip);
});

test('a drain transport refuses a loopback target unless allowed', async () => {
  const t = transportFor(parseDrainUrl('syslog://127.0.0.1:9'), { token: 'd.x', timeoutMs: 500 });
  await assert.rejects(t.send(['x'], 'f'), /refused: 127\.0\.0\.1 is a loopback address/);
  const byName = transportFor(parseDrainUrl('syslog://localhost:9'), { token: 'd.x', timeoutMs: 500 });
  await assert.rejects(byName.send(['x'], 'f'), /refused: localhost resolves to .* loopback address/);
  t.close();
  byName.close();
});

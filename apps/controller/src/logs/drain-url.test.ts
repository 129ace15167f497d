import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '@paas/shared';
import { displayDrainUrl, parseDrainUrl } from './drain-url.js';

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

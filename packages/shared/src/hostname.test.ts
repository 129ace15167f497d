import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostnameMatches, isValidHostname, normalizeHostname } from './hostname.js';

test('DNS names and leading wildcards are valid', () => {
  for (const h of ['www.example.com', 'example.com', '*.example.com', 'a-b.c0.example.co.uk', 'xn--bcher-kva.example', `${'a'.repeat(63)}.com`])
    assert.ok(isValidHostname(h), h);
});

test('single labels, inner wildcards, odd characters, IPs and over-long names are not', () => {
  for (const h of ['', 'localhost', '*', '*.com', 'www.*.example.com', '**.example.com', 'a..b.com', '-a.com', 'a-.com', 'a_b.com', 'Example.com', 'a.com:80', 'a.com/x', '10.0.0.1', '1.2.3', '::1', `${'a'.repeat(64)}.com`, `${'a.'.repeat(127)}com`])
    assert.equal(isValidHostname(h), false, h);
});

test('normalizeHostname lowercases and drops a trailing dot', () => {
  assert.equal(normalizeHostname(' WWW.Example.COM. '), 'www.example.com');
});

test('a wildcard covers exactly one label, as in TLS', () => {
  assert.ok(hostnameMatches('*.example.com', 'www.example.com'));
  assert.equal(hostnameMatches('*.example.com', 'a.b.example.com'), false);
  assert.equal(hostnameMatches('*.example.com', 'example.com'), false);
  assert.ok(hostnameMatches('www.example.com', 'www.example.com'));
  assert.equal(hostnameMatches('www.example.com', 'api.example.com'), false);
});

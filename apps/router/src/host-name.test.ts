import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostOf, isIpLiteral, portOf } from './host-name.js';

test('hostOf lowercases and drops the port and a trailing dot', () => {
  assert.equal(hostOf('Hello.LocalHost:8080'), 'hello.localhost');
  assert.equal(hostOf('example.com.'), 'example.com');
  assert.equal(hostOf('[::1]:8080'), '::1');
  assert.equal(hostOf('127.0.0.1'), '127.0.0.1');
  assert.equal(hostOf(undefined), '');
});

test('portOf reads the port of a Host header', () => {
  assert.equal(portOf('a.localhost:8080'), 8080);
  assert.equal(portOf('[::1]:443'), 443);
  assert.equal(portOf('a.localhost'), undefined);
  assert.equal(portOf('a:99999'), undefined);
});

test('isIpLiteral knows v4 and v6 literals', () => {
  assert.ok(isIpLiteral('10.0.0.1'));
  assert.ok(isIpLiteral('::1'));
  assert.equal(isIpLiteral('localhost'), false);
});

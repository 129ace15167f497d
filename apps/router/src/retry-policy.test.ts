import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectTimeoutError, isConnectFailure, mayRetry } from './retry-policy.js';

const err = (code: string): Error => Object.assign(new Error(code), { code });
const fresh = { method: 'POST', bodyTaken: false, reusedSocket: false };

test('a refused connection is retried unless body bytes were passed on', () => {
  assert.equal(mayRetry(err('ECONNREFUSED'), fresh), true);
  assert.equal(mayRetry(err('ECONNREFUSED'), { ...fresh, bodyTaken: true }), false);
});

test('a reset is retried for idempotent methods or stale pooled connections only', () => {
  assert.equal(mayRetry(err('ECONNRESET'), { ...fresh, method: 'GET' }), true);
  assert.equal(mayRetry(err('ECONNRESET'), fresh), false);
  assert.equal(mayRetry(err('ECONNRESET'), { ...fresh, reusedSocket: true }), true);
});

test('other errors are not retried', () => {
  assert.equal(mayRetry(err('ETIMEDOUT'), { ...fresh, method: 'GET' }), false);
  assert.equal(mayRetry(new Error('parse error'), { ...fresh, method: 'GET' }), false);
});

test('unreachable hosts and connect timeouts are retried and count as connect failures', () => {
  assert.equal(mayRetry(err('EHOSTUNREACH'), fresh), true);
  assert.equal(mayRetry(connectTimeoutError(5), fresh), true);
  assert.equal(isConnectFailure(connectTimeoutError(5)), true);
  assert.equal(isConnectFailure(err('ECONNREFUSED')), true);
  assert.equal(isConnectFailure(err('ECONNRESET')), false);
});

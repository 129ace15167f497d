import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './config.js';

test('defaults fill in an empty environment', () => {
  assert.deepEqual(loadConfig({}), {
    port: 8080,
    host: '0.0.0.0',
    domain: 'localhost',
    redisUrl: 'redis://127.0.0.1:6379',
    redisPrefix: 'paas',
    resyncMs: 30_000,
    timeoutMs: 30_000,
    logLevel: 'info',
  });
});

test('values are parsed and the domain is normalised', () => {
  const c = loadConfig({
    PAAS_ROUTER_PORT: '80',
    PAAS_DOMAIN: 'Apps.Example.COM.',
    PAAS_ROUTER_RESYNC_MS: '500',
    PAAS_ROUTER_TIMEOUT_MS: '1000',
    LOG_LEVEL: 'debug',
  });
  assert.equal(c.port, 80);
  assert.equal(c.domain, 'apps.example.com');
  assert.equal(c.resyncMs, 500);
  assert.equal(c.timeoutMs, 1000);
  assert.equal(c.logLevel, 'debug');
});

test('a bad variable fails with its name', () => {
  assert.throws(() => loadConfig({ PAAS_ROUTER_PORT: 'eighty' }), /PAAS_ROUTER_PORT/);
  assert.throws(() => loadConfig({ PAAS_ROUTER_TIMEOUT_MS: '0' }), /PAAS_ROUTER_TIMEOUT_MS/);
  assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
});

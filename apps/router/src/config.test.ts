import { test } from 'node:test';
import assert from 'node:assert/strict';
import { certKeyOf } from '@paas/shared';
import { loadConfig } from './config.js';

test('defaults fill in an empty environment', () => {
  const { workers, ...rest } = loadConfig({});
  assert.ok(workers >= 1, 'one worker per available core');
  assert.deepEqual(rest, {
    port: 8080,
    tlsPort: 8443,
    host: '0.0.0.0',
    domain: 'localhost',
    redisUrl: 'redis://127.0.0.1:6379',
    redisPrefix: 'paas',
    certKey: undefined,
    certKeyFromSecret: false,
    internalPort: 5055,
    internalHost: '0.0.0.0',
    internalDomain: 'internal',
    hostName: 'local',
    resyncMs: 30_000,
    timeoutMs: 30_000,
    connectTimeoutMs: 5_000,
    tlsCertFile: undefined,
    tlsKeyFile: undefined,
    httpsRedirect: false,
    maxBodyMb: 100,
    maxHeaderBytes: 16 * 1024,
    balance: 'round-robin',
    ejectAfter: 3,
    ejectMs: 10_000,
    parser: 'auto',
    logLines: 10_000,
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

test('TLS, limits, balancing and workers are read', () => {
  const c = loadConfig({
    PAAS_ROUTER_TLS_PORT: '443',
    PAAS_ROUTER_TLS_CERT: '/etc/paas/wild.pem',
    PAAS_ROUTER_TLS_KEY: '/etc/paas/wild.key',
    PAAS_ROUTER_HTTPS_REDIRECT: 'true',
    PAAS_ROUTER_MAX_BODY_MB: '0.5',
    PAAS_ROUTER_MAX_HEADER_KB: '8',
    PAAS_ROUTER_BALANCE: 'least-connections',
    PAAS_ROUTER_WORKERS: '3',
    PAAS_SECRET: 's'.repeat(32),
  });
  assert.equal(c.tlsPort, 443);
  assert.equal(c.tlsCertFile, '/etc/paas/wild.pem');
  assert.equal(c.httpsRedirect, true);
  assert.equal(c.maxBodyMb, 0.5);
  assert.equal(c.maxHeaderBytes, 8192);
  assert.equal(c.balance, 'least-connections');
  assert.equal(c.workers, 3);
  assert.equal(loadConfig({ PAAS_ROUTER_PARSER: 'node' }).parser, 'node');
  assert.equal(loadConfig({ PAAS_ROUTER_PARSER: 'native' }).parser, 'native');
  // given PAAS_SECRET (older setups), the router keeps only the certificate key derived from it
  assert.equal(c.certKey, certKeyOf('s'.repeat(32)));
  assert.equal(c.certKeyFromSecret, true);
  assert.ok(!JSON.stringify(c).includes('s'.repeat(32)), 'the secret itself is not kept');
  const k = loadConfig({ PAAS_ROUTER_CERT_KEY: 'AB'.repeat(32), PAAS_SECRET: 's'.repeat(32) });
  assert.equal(k.certKey, 'ab'.repeat(32));
  assert.equal(k.certKeyFromSecret, false);
  assert.throws(() => loadConfig({ PAAS_ROUTER_CERT_KEY: 'short' }), /PAAS_ROUTER_CERT_KEY: must be 64 hex digits/);
  assert.throws(() => loadConfig({ PAAS_INTERNAL_DOMAIN: 'Bad_Name' }), /PAAS_INTERNAL_DOMAIN/);
  assert.equal(loadConfig({ PAAS_ROUTER_HTTPS_REDIRECT: '0' }).httpsRedirect, false);
});

test('access lines trim the log streams to the platform\'s PAAS_LOG_LINES', () => {
  assert.equal(loadConfig({ PAAS_LOG_LINES: '5000' }).logLines, 5000);
});

test('a bad variable fails with its name', () => {
  assert.throws(() => loadConfig({ PAAS_ROUTER_PORT: 'eighty' }), /PAAS_ROUTER_PORT/);
  assert.throws(() => loadConfig({ PAAS_ROUTER_TIMEOUT_MS: '0' }), /PAAS_ROUTER_TIMEOUT_MS/);
  assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
  assert.throws(() => loadConfig({ PAAS_ROUTER_BALANCE: 'random' }), /PAAS_ROUTER_BALANCE/);
  assert.throws(() => loadConfig({ PAAS_ROUTER_PARSER: 'llhttp' }), /PAAS_ROUTER_PARSER/);
  assert.throws(() => loadConfig({ PAAS_ROUTER_TLS_CERT: '/x.pem' }), /PAAS_ROUTER_TLS_KEY/);
  assert.throws(() => loadConfig({ PAAS_SECRET: 'short' }), /PAAS_SECRET/);
  assert.throws(() => loadConfig({ PAAS_ROUTER_WORKERS: '0' }), /PAAS_ROUTER_WORKERS/);
  assert.throws(() => loadConfig({ PAAS_LOG_LINES: '10' }), /PAAS_LOG_LINES/);
});

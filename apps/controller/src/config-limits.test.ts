import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './config.js';

const base = { PAAS_SECRET: 'x'.repeat(32) };

test('PAAS_MAX_BOOT_SECONDS: 300 by default; PAAS_BOOT_TIMEOUT may not exceed it', () => {
  assert.equal(loadConfig(base).maxBootSeconds, 300);
  assert.equal(loadConfig({ ...base, PAAS_MAX_BOOT_SECONDS: '120', PAAS_BOOT_TIMEOUT: '120' }).bootTimeoutMs, 120_000);
  assert.throws(() => loadConfig({ ...base, PAAS_BOOT_TIMEOUT: '600' }), /PAAS_BOOT_TIMEOUT: must be at most PAAS_MAX_BOOT_SECONDS/);
  for (const bad of ['0', 'long', '7200']) assert.throws(() => loadConfig({ ...base, PAAS_MAX_BOOT_SECONDS: bad }), /PAAS_MAX_BOOT_SECONDS: /, bad);
});

test('PAAS_MAX_PUSH_MB: 500 MB by default, in bytes', () => {
  assert.equal(loadConfig(base).maxPushBytes, 500 * 1024 * 1024);
  assert.equal(loadConfig({ ...base, PAAS_MAX_PUSH_MB: '20' }).maxPushBytes, 20 * 1024 * 1024);
  for (const bad of ['0', '-5', 'big']) assert.throws(() => loadConfig({ ...base, PAAS_MAX_PUSH_MB: bad }), /PAAS_MAX_PUSH_MB: /, bad);
});

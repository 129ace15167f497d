import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './config.js';

const base = { PAAS_SECRET: 'x'.repeat(32) };

test('the egress guard is strict unless the operator says otherwise; PAAS_DRAIN_ALLOW_LOOPBACK still allows loopback', () => {
  assert.deepEqual(loadConfig(base).egress, { allowLoopback: false, allowPrivate: false, allowFileUrls: false, deny: [] });
  assert.deepEqual(loadConfig({ ...base, PAAS_EGRESS_ALLOW_PRIVATE: 'true', PAAS_EGRESS_DENY: '10.9.0.0/16, 192.0.2.7', PAAS_BUILDPACK_ALLOW_FILE_URLS: '1' }).egress, {
    allowLoopback: false,
    allowPrivate: true,
    allowFileUrls: true,
    deny: ['10.9.0.0/16', '192.0.2.7'],
  });
  assert.equal(loadConfig({ ...base, PAAS_DRAIN_ALLOW_LOOPBACK: '1' }).egress.allowLoopback, true);
  assert.equal(loadConfig({ ...base, PAAS_EGRESS_ALLOW_LOOPBACK: 'true' }).egress.allowLoopback, true);
  for (const bad of ['metadata.internal', '1.2.3', '10.0.0.0/x']) assert.throws(() => loadConfig({ ...base, PAAS_EGRESS_DENY: bad }), /PAAS_EGRESS_DENY: /, bad);
  assert.throws(() => loadConfig({ ...base, PAAS_EGRESS_ALLOW_PRIVATE: 'sure' }), /PAAS_EGRESS_ALLOW_PRIVATE: /);
});

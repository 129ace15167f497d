import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './config.js';

const base = { PAAS_SECRET: 'x'.repeat(32) };

test('PAAS_STOP_GRACE: seconds between SIGTERM and SIGKILL, 10 by default, refused with its name when absurd', () => {
  assert.equal(loadConfig(base).stopGraceSeconds, 10);
  assert.equal(loadConfig({ ...base, PAAS_STOP_GRACE: '0' }).stopGraceSeconds, 0);
  assert.equal(loadConfig({ ...base, PAAS_STOP_GRACE: '30' }).stopGraceSeconds, 30);
  for (const bad of ['-1', 'soon', '2.5', '86400']) {
    assert.throws(() => loadConfig({ ...base, PAAS_STOP_GRACE: bad }), /PAAS_STOP_GRACE: /, bad);
  }
});

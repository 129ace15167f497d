import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './config.js';

const base = { PAAS_SECRET: 'x'.repeat(32) };

test('PAAS_RUNTIME: docker-hosts by default; swarm needs PAAS_SWARM_MANAGER, and the error names it', () => {
  assert.deepEqual(loadConfig(base).runtime, { kind: 'docker-hosts' });
  assert.deepEqual(loadConfig({ ...base, PAAS_RUNTIME: 'swarm', PAAS_SWARM_MANAGER: 'tcp://10.0.0.2:2376' }).runtime, { kind: 'swarm', manager: 'tcp://10.0.0.2:2376' });
  assert.throws(() => loadConfig({ ...base, PAAS_RUNTIME: 'swarm' }), /PAAS_SWARM_MANAGER: is required with PAAS_RUNTIME=swarm/);
  assert.throws(() => loadConfig({ ...base, PAAS_RUNTIME: 'kubernetes' }), /PAAS_RUNTIME: /);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEnvBox, openBuildEnv, sealBuildEnv } from './build-env.js';

test('a sealed build env holds no plaintext and opens only with the same secret', () => {
  const box = buildEnvBox('s'.repeat(32));
  const sealed = sealBuildEnv(box, { STRIPE_KEY: 'sk_live_0123456789' });
  assert.ok(!sealed.includes('sk_live') && !sealed.includes('STRIPE_KEY'));
  assert.deepEqual(openBuildEnv(box, sealed), { STRIPE_KEY: 'sk_live_0123456789' });
  assert.throws(() => openBuildEnv(buildEnvBox('t'.repeat(32)), sealed), /wrong secret/);
  assert.throws(() => openBuildEnv(box, box.seal('[1]')), /map of strings/);
});

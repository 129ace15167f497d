import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageRegistry, registrySettings, splitImageRef } from './image-registry.js';

test('registry settings: scheme by address, hosts address, credentials in pairs', () => {
  assert.equal(registrySettings({}), undefined);
  assert.deepEqual(registrySettings({ PAAS_REGISTRY: '127.0.0.1:5056' }), { address: '127.0.0.1:5056', hostsAddress: '127.0.0.1:5056', scheme: 'http' });
  assert.equal(registrySettings({ PAAS_REGISTRY: 'registry.example:443' })!.scheme, 'https');
  assert.equal(registrySettings({ PAAS_REGISTRY: 'http://10.0.0.1:5000/' })!.scheme, 'http');
  const s = registrySettings({ PAAS_REGISTRY: 'https://127.0.0.1:5056', PAAS_REGISTRY_HOSTS_ADDRESS: '10.0.0.1:5056', PAAS_REGISTRY_USERNAME: 'u', PAAS_REGISTRY_PASSWORD: 'p', PAAS_REGISTRY_CA_FILE: '/x/ca.crt' })!;
  assert.deepEqual(s, { address: '127.0.0.1:5056', hostsAddress: '10.0.0.1:5056', scheme: 'https', username: 'u', password: 'p', caFile: '/x/ca.crt' });
  assert.throws(() => registrySettings({ PAAS_REGISTRY: 'r:1', PAAS_REGISTRY_USERNAME: 'u' }), /go together/);
});

test('registry names: the push and hosts addresses; only repository:tag references', () => {
  const r = new ImageRegistry({ address: '127.0.0.1:5056', hostsAddress: '10.0.0.1:5056', scheme: 'http' });
  assert.equal(r.remoteRef('paas/shop:b-123'), '127.0.0.1:5056/paas/shop:b-123');
  assert.equal(r.remoteRef('paas/shop:b-123', 'hosts'), '10.0.0.1:5056/paas/shop:b-123');
  assert.deepEqual(splitImageRef('paas/shop:b-1'), { repo: 'paas/shop', tag: 'b-1' });
  for (const bad of ['paas/shop', 'paas/shop@sha256:00', 'paas/../x:1', 'paas/x:..', 'paas/x:a/b', 'paas/x:b?n=1']) {
    assert.throws(() => splitImageRef(bad), /not a repository:tag/, bad);
  }
});

test('a registry that does not answer is a retryable unavailable error, not a hang', async () => {
  const r = new ImageRegistry({ address: '127.0.0.1:1', hostsAddress: '127.0.0.1:1', scheme: 'http' });
  assert.equal(await r.ping(), false);
  await assert.rejects(r.tags('paas/x'), (err: Error & { code?: string; retryable?: boolean }) => err.code === 'unavailable' && err.retryable === true);
});

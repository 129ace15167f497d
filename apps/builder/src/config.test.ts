import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dockerConnection, loadConfig } from './config.js';

test('defaults describe a local single-host platform', () => {
  const c = loadConfig({});
  assert.equal(c.redisUrl, 'redis://127.0.0.1:6379');
  assert.equal(c.redisPrefix, 'paas');
  assert.deepEqual(c.docker, { socketPath: '/var/run/docker.sock' });
  assert.equal(c.buildImage, 'paas/build:{stack}');
  assert.equal(c.runImage, 'paas/run:{stack}');
  assert.equal(c.concurrency, 2);
  assert.equal(c.timeoutSeconds, 900);
  assert.equal(c.memoryMb, 2048);
  assert.equal(c.cluster, 'local');
  assert.equal(c.healthPort, 5053);
  assert.equal(c.buildCaFile, undefined);
  assert.equal(c.cpus, 2);
  assert.equal(c.allowFileBuildpacks, false);
  assert.deepEqual(c.egress, { allowLoopback: false, allowPrivate: false, deny: [] }, 'the egress guard is strict unless the operator says otherwise');
  assert.deepEqual(loadConfig({ PAAS_EGRESS_ALLOW_PRIVATE: '1', PAAS_EGRESS_DENY: '10.9.0.0/16, 192.0.2.7' }).egress, { allowLoopback: false, allowPrivate: true, deny: ['10.9.0.0/16', '192.0.2.7'] });
  assert.throws(() => loadConfig({ PAAS_EGRESS_DENY: '1.2.3' }), /PAAS_EGRESS_DENY: /);
  assert.match(c.buildpackCacheDir, /\.paas\/buildpacks$/);
  assert.ok(existsSync(join(c.buildpacksDir, 'nodejs', 'bin', 'compile')), c.buildpacksDir);
});

test('values are parsed, and the extra CA falls back to the builder’s own', () => {
  const c = loadConfig({
    PAAS_BUILD_CONCURRENCY: '4',
    PAAS_BUILD_TIMEOUT: '60',
    PAAS_CLUSTER: 'staging',
    NODE_EXTRA_CA_CERTS: '/etc/ca.pem',
  });
  assert.equal(c.concurrency, 4);
  assert.equal(c.timeoutSeconds, 60);
  assert.equal(c.cluster, 'staging');
  assert.equal(c.buildCaFile, '/etc/ca.pem');
  assert.equal(loadConfig({ PAAS_BUILD_CA_FILE: '/a.pem', NODE_EXTRA_CA_CERTS: '/b.pem' }).buildCaFile, '/a.pem');
  const g = loadConfig({ PAAS_HOME: '/srv/paas', PAAS_BUILDPACK_ALLOW_FILE_URLS: '1', PAAS_BUILD_CPUS: '0.5', PATH: '/bin', HTTPS_PROXY: 'http://p:3128', SECRET: 'x' });
  assert.equal(g.buildpackCacheDir, '/srv/paas/buildpacks');
  assert.equal(g.allowFileBuildpacks, true);
  assert.equal(g.cpus, 0.5);
  assert.deepEqual(g.gitEnv, { PATH: '/bin', HTTPS_PROXY: 'http://p:3128' }, 'git sees PATH and the proxies only');
});

test('a bad variable is named in the error', () => {
  assert.throws(() => loadConfig({ PAAS_BUILD_TIMEOUT: 'soon' }), /PAAS_BUILD_TIMEOUT/);
  assert.throws(() => loadConfig({ PAAS_CLUSTER: 'Has Spaces' }), /PAAS_CLUSTER/);
  assert.throws(() => loadConfig({ DOCKER_HOST: 'docker.sock' }), /DOCKER_HOST/);
});

test('DOCKER_HOST accepts a unix socket or a tcp address', () => {
  assert.deepEqual(dockerConnection('unix:///run/docker.sock'), { socketPath: '/run/docker.sock' });
  assert.deepEqual(dockerConnection('tcp://10.0.0.5:2376'), { protocol: 'http', host: '10.0.0.5', port: 2376 });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerOptions } from './docker-options.js';

test('maps DOCKER_HOST URLs to dockerode options', () => {
  assert.deepEqual(dockerOptions(undefined), { socketPath: '/var/run/docker.sock' });
  assert.deepEqual(dockerOptions('unix:///run/x.sock'), { socketPath: '/run/x.sock' });
  assert.deepEqual(dockerOptions('tcp://10.0.0.2:2375'), { protocol: 'http', host: '10.0.0.2', port: 2375 });
  assert.deepEqual(dockerOptions('ssh://me@h1'), { protocol: 'ssh', host: 'h1', port: 22, username: 'me' });
  assert.throws(() => dockerOptions('ftp://x'), /unsupported scheme/);
});

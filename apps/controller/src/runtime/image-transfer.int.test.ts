// The transfer into a fresh Docker-in-Docker host is in test/dind/image-transfer.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import type { AppError } from '@paas/shared';
import { engineName, splitReference, transferImage } from './image-transfer.js';

const local = new Docker();

test('splitReference: repo and tag, defaulting to latest; ids and digests are not taggable', () => {
  assert.deepEqual(splitReference('paas/run:bookworm'), { repo: 'paas/run', tag: 'bookworm' });
  assert.deepEqual(splitReference('paas/hello'), { repo: 'paas/hello', tag: 'latest' });
  assert.deepEqual(splitReference('10.0.0.5:5000/paas/hello:b-1'), { repo: '10.0.0.5:5000/paas/hello', tag: 'b-1' });
  assert.deepEqual(splitReference('10.0.0.5:5000/paas/hello'), { repo: '10.0.0.5:5000/paas/hello', tag: 'latest' });
  assert.equal(splitReference('paas/hello@sha256:' + 'a'.repeat(64)), undefined);
  assert.equal(splitReference('sha256:' + 'a'.repeat(64)), undefined);
});

test('engineName names the socket or the URL', () => {
  assert.equal(engineName(new Docker({ socketPath: '/var/run/docker.sock' })), 'unix:///var/run/docker.sock');
  assert.equal(engineName(new Docker({ socketPath: () => '/var/run/docker.sock' } as unknown as Docker.DockerOptions)), 'the local Docker engine');
  assert.equal(engineName(new Docker({ protocol: 'http', host: '10.213.0.2', port: 2375 })), 'tcp://10.213.0.2:2375');
});

test('an image the source does not have is not_found', async () => {
  await assert.rejects(transferImage(local, local, 'paas/no-such-image:nope'), (err: AppError) => {
    assert.equal(err.code, 'not_found');
    assert.equal(err.message, `image paas/no-such-image:nope is not on the source engine ${engineName(local)}`);
    return true;
  });
});

test('a target that already has the image id is skipped', async () => {
  const result = await transferImage(local, local, 'paas/run:bookworm');
  assert.equal(result.transferred, false);
  assert.equal(result.bytes, 0);
  assert.match(result.id, /^sha256:[0-9a-f]{64}$/);
});

test('a target that does not answer is a retryable unavailable error naming it', async () => {
  const nowhere = new Docker({ protocol: 'http', host: '127.0.0.1', port: 1 });
  await assert.rejects(transferImage(local, nowhere, 'paas/run:bookworm'), (err: AppError) => {
    assert.equal(err.code, 'unavailable');
    assert.equal(err.retryable, true);
    assert.match(err.message, /cannot reach the target engine tcp:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
    return true;
  });
});

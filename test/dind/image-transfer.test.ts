// Image distribution without a registry: docker save on one engine streamed into docker load on
// another (apps/controller/src/runtime/image-transfer.ts), into a fresh Docker-in-Docker host.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import type { AppError } from '@paas/shared';
import { transferImage } from '../../apps/controller/src/runtime/image-transfer.js';
import { removeDindHosts, runHelloServer, startDindHosts, type DindHost } from '../helpers/dind.js';

const local = new Docker();
let hosts: DindHost[] = [];
let host: DindHost;

before(async () => {
  hosts = await startDindHosts(1, 'xfer');
  host = hosts[0]!;
});
after(() => removeDindHosts(hosts));

test('transfers paas/run:bookworm into a fresh host, which then runs a container from it', async (t) => {
  const source = await local.getImage('paas/run:bookworm').inspect();
  await assert.rejects(host.docker.getImage('paas/run:bookworm').inspect());

  const result = await transferImage(local, host.docker, 'paas/run:bookworm');
  t.diagnostic(`${(result.bytes / 1e6).toFixed(0)} MB in ${result.ms} ms`);
  assert.equal(result.transferred, true);
  assert.equal(result.id, source.Id);
  assert.ok(result.bytes > source.Size / 2, `${result.bytes} bytes for an image of ${source.Size}`);
  assert.equal((await host.docker.getImage('paas/run:bookworm').inspect()).Id, source.Id);

  const url = await runHelloServer(host, 'web-1');
  assert.equal(await (await fetch(url)).text(), 'hello from web-1\n');
});

test('a second transfer is skipped; a missing tag is added without copying', async () => {
  const again = await transferImage(local, host.docker, 'paas/run:bookworm');
  assert.deepEqual([again.transferred, again.bytes], [false, 0]);

  await host.docker.getImage('paas/run:bookworm').tag({ repo: 'paas/other', tag: 'x' });
  await host.docker.getImage('paas/run:bookworm').remove();
  const tagged = await transferImage(local, host.docker, 'paas/run:bookworm');
  assert.deepEqual([tagged.transferred, tagged.bytes], [false, 0]);
  assert.equal((await host.docker.getImage('paas/run:bookworm').inspect()).Id, again.id);
});

test('a target that goes away mid-transfer fails with a retryable error, not a hang', async (t) => {
  const victim = (await startDindHosts(1, 'xfer-lost'))[0]!;
  hosts.push(victim);
  const transfer = transferImage(local, victim.docker, 'paas/build:bookworm', { signal: AbortSignal.timeout(8000) });
  await new Promise((r) => setTimeout(r, 1500));
  await victim.kill();
  await assert.rejects(transfer, (err: AppError) => {
    t.diagnostic(err.message);
    assert.equal(err.code, 'unavailable');
    assert.equal(err.retryable, true);
    assert.match(err.message, new RegExp(`paas/build:bookworm .*${victim.address.replaceAll('.', '\\.')}:2375`));
    return true;
  });
});

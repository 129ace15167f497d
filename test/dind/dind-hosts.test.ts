// Several Docker hosts on one machine: two Docker-in-Docker hosts, each running a process whose
// published port is reached from here at the host's address; a killed host stops answering and
// comes back with the same address; removal leaves no container and no state behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import Docker from 'dockerode';
import { transferImage } from '../../apps/controller/src/runtime/image-transfer.js';
import { removeDindHosts, runHelloServer, startDindHosts } from '../helpers/dind.js';

const local = new Docker();

async function get(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return res.text();
}

/** Resolves to the error when the engine does not answer within `ms`, to undefined when it does. */
async function pingFailure(docker: Docker, ms: number): Promise<Error | undefined> {
  const timeout = new Promise<Error>((resolve) => setTimeout(() => resolve(new Error(`no answer within ${ms} ms`)), ms).unref());
  return Promise.race([docker.ping().then(() => undefined, (err: Error) => err), timeout]);
}

test('two DinD hosts serve published ports at their addresses; a killed host stops answering', async (t) => {
  const started = Date.now();
  const hosts = await startDindHosts(2, 'dind');
  t.diagnostic(`2 hosts started in ${Date.now() - started} ms`);
  let removed = false;
  t.after(async () => {
    if (!removed) await removeDindHosts(hosts);
  });
  const [a, b] = hosts as [(typeof hosts)[0], (typeof hosts)[0]];
  assert.notEqual(a.address, b.address);
  assert.equal(a.dockerUrl, `tcp://${a.address}:2375`);
  for (const host of hosts) {
    assert.equal((await host.docker.info()).Name, host.name);
    assert.ok(existsSync(host.stateDir), `state directory ${host.stateDir}`);
  }

  await Promise.all(hosts.map((h) => transferImage(local, h.docker, 'paas/run:bookworm')));
  const [urlA, urlB] = await Promise.all([runHelloServer(a, 'web-a'), runHelloServer(b, 'web-b')]);
  assert.ok(urlA.startsWith(`http://${a.address}:`));
  assert.equal(await get(urlA), 'hello from web-a\n');
  assert.equal(await get(urlB), 'hello from web-b\n');

  await a.kill();
  const failure = await pingFailure(a.docker, 5000);
  assert.ok(failure, 'the killed host still answers');
  t.diagnostic(`killed host: ${failure.message}`);
  await assert.rejects(get(urlA));
  assert.equal(await get(urlB), 'hello from web-b\n', 'the other host keeps serving');

  await a.start(); // same address, state kept: the image is still there
  assert.equal(await pingFailure(a.docker, 5000), undefined);
  assert.equal((await a.docker.getImage('paas/run:bookworm').inspect()).RepoTags?.[0], 'paas/run:bookworm');

  await removeDindHosts(hosts);
  removed = true;
  for (const host of hosts) {
    await assert.rejects(local.getContainer(`paas-host-${host.name}`).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
    assert.equal(existsSync(host.stateDir), false, `${host.stateDir} is removed`);
  }
});

// The image registry (issue 19): the real docker-registry with TLS from paas's CA and basic auth.
// An image pushed by this machine's engine is pulled by a Docker-in-Docker host through the image
// distributor with no `docker load`; when the registry cannot be reached the distributor falls back
// to docker save | docker load; images of expired releases leave the registry, and its garbage
// collection (read-only restart) frees their blobs while a kept image stays pullable.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { createLogger, ImageRegistry } from '@paas/shared';
import { ImageDistributor, type ImageCopy } from '../../apps/controller/src/scheduler/image-distributor.js';
import { removeDindHosts, startDindHosts, type DindHost } from '../helpers/dind.js';
import { startTestRegistry, type TestRegistry } from '../helpers/test-registry.js';

const local = new Docker();
const cluster = `reg-${randomBytes(3).toString('hex')}`;
const repo = `paas/${cluster}`;
const log = createLogger('registry-test', 'warn');
let hosts: DindHost[] = [];
let reg: TestRegistry;
const made: string[] = [];

/** A small image of this run (paas/run:bookworm with a label and a file of its own), as a build makes one. */
async function makeImage(tag: string): Promise<string> {
  const ref = `${repo}:${tag}`;
  const c = await local.createContainer({ Image: 'paas/run:bookworm', Entrypoint: ['true'], Labels: { 'paas.cluster': cluster } });
  try {
    await c.putArchive(await tarOf(`${tag}.txt`, randomBytes(256 * 1024)), { path: '/tmp' });
    await c.commit({ repo, tag, changes: [`LABEL paas.cluster=${cluster}`, `LABEL paas.app=${cluster}`] });
  } finally {
    await c.remove({ force: true });
  }
  made.push(ref);
  return ref;
}

async function tarOf(name: string, data: Buffer): Promise<Buffer> {
  const { pack } = await import('tar-stream');
  const p = pack();
  p.entry({ name, mode: 0o644 }, data);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function actions(host: DindHost, since: number): Promise<string[]> {
  const raw = (await host.docker.getEvents({ since: Math.floor(since / 1000) - 1, until: Math.ceil(Date.now() / 1000) + 1, filters: { type: ['image'] } })) as unknown;
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : await new Promise<string>((resolve) => {
    let t = '';
    (raw as NodeJS.ReadableStream).on('data', (c: Buffer) => (t += c.toString('utf8')));
    (raw as NodeJS.ReadableStream).on('end', () => resolve(t));
  });
  return text.split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as { Action: string }).Action);
}

async function blobCount(): Promise<number> {
  const dir = join(reg.server.dataDir, 'docker/registry/v2/blobs/sha256');
  let n = 0;
  for (const prefix of await readdir(dir).catch(() => [] as string[])) n += (await readdir(join(dir, prefix))).length;
  return n;
}

before(async () => {
  hosts = await startDindHosts(2, 'reg');
  reg = await startTestRegistry();
  await Promise.all(hosts.map((h) => reg.trust(h)));
});

after(async () => {
  await reg?.close();
  await removeDindHosts(hosts);
  for (const ref of made) await local.getImage(ref).remove({ force: true }).catch(() => undefined);
});

test('an image pushed to the registry is pulled by another host, with no docker load', async (t) => {
  const image = await makeImage('b-one');
  const pushed = await reg.registry.push(local, image);
  t.diagnostic(`pushed ${pushed.remote} in ${pushed.ms} ms`);
  assert.deepEqual(await reg.registry.tags(repo), ['b-one']);
  // the registry's name was only for the push
  await assert.rejects(local.getImage(pushed.remote).inspect());

  const copies: ImageCopy[] = [];
  const distributor = new ImageDistributor({ imageSource: local, cluster, registry: reg.registry, onCopy: (c) => copies.push(c), log });
  const host = hosts[0]!;
  const since = Date.now();
  await distributor.ensure({ name: host.name, docker: host.docker }, image);
  assert.equal(copies.length, 1);
  assert.equal(copies[0]!.via, 'registry');
  const there = await host.docker.getImage(image).inspect();
  assert.equal(there.Id, (await local.getImage(image).inspect()).Id);
  assert.equal(there.Config.Labels?.['paas.app'], cluster);
  assert.deepEqual(there.RepoTags, [image]);
  const seen = await actions(host, since);
  t.diagnostic(`image events on ${host.name}: ${seen.join(', ')}`);
  assert.ok(seen.includes('pull'), `a pull on ${host.name}`);
  assert.ok(!seen.includes('load'), `no docker load on ${host.name}`);
  // a second ensure finds it there
  await distributor.ensure({ name: host.name, docker: host.docker }, image);
  assert.equal(copies.length, 1);
});

test('a host that cannot reach the registry gets the image by docker save | docker load', async (t) => {
  const image = await makeImage('b-fallback');
  await reg.registry.push(local, image);
  // a registry address no host reaches: the pull fails at once and the distributor falls back
  const unreachable = new ImageRegistry({ ...reg.registry.settings, hostsAddress: `${reg.name}:1` });
  const copies: ImageCopy[] = [];
  const distributor = new ImageDistributor({ imageSource: local, cluster, registry: unreachable, onCopy: (c) => copies.push(c), log });
  const host = hosts[1]!;
  const since = Date.now();
  await distributor.ensure({ name: host.name, docker: host.docker }, image);
  assert.equal(copies.length, 1);
  assert.equal(copies[0]!.via, 'transfer');
  t.diagnostic(`fallback because: ${copies[0]!.fallbackReason}`);
  assert.match(copies[0]!.fallbackReason ?? '', /pulling .* from the registry .*:1 failed/);
  assert.equal((await host.docker.getImage(image).inspect()).Id, (await local.getImage(image).inspect()).Id);
  assert.ok((await actions(host, since)).includes('load'));
});

test('wrong registry credentials are refused; the push fails with a clear, retryable error', async () => {
  const image = await makeImage('b-badauth');
  const bad = new ImageRegistry({ ...reg.registry.settings, password: 'wrong' });
  await assert.rejects(bad.push(local, image), (err: Error & { code?: string; retryable?: boolean }) => {
    assert.equal(err.code, 'unavailable');
    assert.equal(err.retryable, true);
    assert.match(err.message, /pushing .*b-badauth to the registry 127\.0\.0\.1:\d+ failed/);
    return true;
  });
  await assert.rejects(bad.tags(repo), /HTTP 401/);
});

test('images of expired releases leave the registry; garbage collection frees their blobs; kept images still pull', async (t) => {
  const kept = await makeImage('b-kept');
  const expired = await makeImage('b-expired');
  await reg.registry.push(local, kept);
  await reg.registry.push(local, expired);
  const before = await blobCount();

  const deleted = await reg.registry.deleteExcept(repo, new Set([kept, `${repo}:b-one`, `${repo}:b-fallback`, `${repo}:b-badauth`]));
  assert.equal(deleted, 1);
  assert.deepEqual((await reg.registry.tags(repo)).sort(), ['b-fallback', 'b-kept', 'b-one']);
  assert.equal(await reg.registry.deleteImage(expired), false, 'gone already');

  const gc = await reg.server.collectGarbage();
  t.diagnostic(`gc: ${gc.summary} in ${gc.ms} ms; blobs ${before} -> ${await blobCount()}`);
  assert.ok((await blobCount()) < before, 'the expired image\'s own layer and config are deleted');

  // the registry serves again (read-write) after the collection: a kept image pulls, a new one pushes
  const host = hosts[1]!;
  await reg.registry.pull(host.docker, kept, 'hosts');
  assert.equal((await host.docker.getImage(kept).inspect()).Id, (await local.getImage(kept).inspect()).Id);
  await reg.registry.push(local, await makeImage('b-after-gc'));
  assert.ok((await reg.registry.tags(repo)).includes('b-after-gc'));
});

test('hostile names never reach the registry API', () => {
  assert.throws(() => reg.registry.remoteRef('paas/x:../../v2'), /not a repository:tag/);
  assert.throws(() => reg.registry.remoteRef('paas/../etc:b-1'), /not a repository:tag/);
  assert.throws(() => reg.registry.remoteRef('PAAS/X:b'), /not a repository:tag/);
});

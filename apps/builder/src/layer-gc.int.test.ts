// The layer image collector against the real Docker engine: a layer a slug stands on stays, a
// childless one goes, a young one stays, and a chain goes from the top down.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { createLogger } from '@paas/shared';
import { LayerGc } from './layer-gc.js';
import { layerRepo } from './slug-image.js';
import { removeCluster } from './test-support.js';

const docker = new Docker();
const cluster = `gc-test-${randomBytes(4).toString('hex')}`;
const log = createLogger('test', 'silent');
after(() => removeCluster(docker, cluster));

/** An image committed from a container of `from`, tagged `repo:tag`, with `labels`. */
async function commit(from: string, repo: string, tag: string, labels: Record<string, string>): Promise<string> {
  const c = await docker.createContainer({ Image: from, Cmd: ['true'], Labels: labels });
  try {
    const made = (await c.commit({ repo, tag })) as { Id: string };
    return made.Id;
  } finally {
    await c.remove({ force: true });
  }
}

const exists = async (id: string): Promise<boolean> =>
  docker
    .getImage(id)
    .inspect()
    .then(
      () => true,
      () => false,
    );

test('removes the layers no image stands on, a chain from the top down; keeps young ones and those with a slug', async () => {
  const tag = randomBytes(6).toString('hex');
  const runtime = await commit('paas/run:bookworm', layerRepo, `gc-runtime-${tag}`, { 'paas.cluster': cluster });
  await docker.getImage(runtime).tag({ repo: layerRepo, tag: `f-gc-runtime-${tag}` });
  const modules = await commit(runtime, layerRepo, `gc-modules-${tag}`, { 'paas.cluster': cluster });
  const lone = await commit('paas/run:bookworm', layerRepo, `gc-lone-${tag}`, { 'paas.cluster': cluster });
  const slug = await commit(modules, `paas/gc-app-${tag}`, 'b-1', { 'paas.cluster': cluster, 'paas.app': `gc-app-${tag}` });

  const gc = new LayerGc({ docker, cluster, minAgeMs: 0, log });
  const future = Date.now() + 10_000;
  const young = new LayerGc({ docker, cluster, minAgeMs: 3_600_000, log });
  assert.equal((await young.collect(future)).removed, 0, 'nothing older than an hour');

  assert.equal((await gc.collect(future)).removed, 1, 'only the childless layer');
  assert.deepEqual(await Promise.all([runtime, modules, lone, slug].map(exists)), [true, true, false, true]);

  await docker.getImage(slug).remove();
  const second = await gc.collect(future);
  assert.equal(second.removed, 2, 'node_modules, then the runtime below it');
  assert.deepEqual(await Promise.all([runtime, modules].map(exists)), [false, false]);
});

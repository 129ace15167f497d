// Old release images are removed from the engine (real Docker, real PostgreSQL): the images of the
// last N releases and the serving one stay, an image a container uses stays, and a rollback to a
// release whose image went is refused with the reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { AppError, createLogger, SecretBox } from '@paas/shared';
import { findAppByName, insertApp, type AppRow } from '../db/apps.js';
import { insertRelease, setReleaseStatus, type ReleaseRow } from '../db/releases.js';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { createUser } from '../db/users.js';
import { DockerHostBackend } from '../runtime/docker-host-backend.js';
import { ImageRetention } from './image-retention.js';

const docker = new Docker();
const cluster = `retention-${randomBytes(4).toString('hex')}`;
const log = createLogger('test', 'silent');
const cipher = new SecretBox('r'.repeat(32), 'config vars');
let db: TestDatabase;
let app: AppRow;
const releases: ReleaseRow[] = [];
const images: string[] = [];

const exists = async (ref: string): Promise<boolean> =>
  docker
    .getImage(ref)
    .inspect()
    .then(
      () => true,
      () => false,
    );

before(async () => {
  db = await createTestDatabase();
  const user = await createUser(db.pool, 'owner@example.com', 'x', 'user');
  const name = `ret-${randomBytes(3).toString('hex')}`;
  await insertApp(db.pool, name, user.id);
  app = (await findAppByName(db.pool, name))!;
  // Four builds; v3 and v4 share the third build's image (a config change), v5 is the fourth build.
  for (let i = 1; i <= 4; i++) {
    const c = await docker.createContainer({ Image: 'paas/run:bookworm', Cmd: ['true'], Labels: { 'paas.cluster': cluster, 'paas.app': app.name } });
    await c.commit({ repo: `paas/${app.name}`, tag: `b-${i}` });
    await c.remove({ force: true });
    images.push(`paas/${app.name}:b-${i}`);
  }
  const imageOf = [images[0]!, images[1]!, images[2]!, images[2]!, images[3]!];
  for (const [i, image] of imageOf.entries()) {
    const r = await insertRelease(db.pool, cipher, { appId: app.id, version: i + 1, buildId: null, image, config: {}, processTypes: { web: 'x' }, description: `v${i + 1}`, userId: null });
    await setReleaseStatus(db.pool, r.id, 'succeeded');
    releases.push({ ...r, status: 'succeeded' });
  }
});

after(async () => {
  for (const c of await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } })) await docker.getContainer(c.Id).remove({ force: true });
  for (const n of await docker.listNetworks({ filters: { label: [`paas.cluster=${cluster}`] } })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
  for (const image of images) await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  await db.drop();
});

test('keeps the images of the last releases and those in use, removes the rest; a rollback to a removed one is refused', async () => {
  const runtime = new DockerHostBackend({ docker, hostName: 'local', publishAddress: '127.0.0.1', address: '127.0.0.1', cluster, log });
  const retention = new ImageRetention({ pool: db.pool, runtime, keep: 2, log });
  // A stopped container still stands on the first build's image.
  await docker.createContainer({ Image: images[0]!, Cmd: ['true'], Labels: { 'paas.cluster': cluster } });

  assert.equal(await retention.prune(app), 1, 'the second build only');
  assert.deepEqual(await Promise.all(images.map(exists)), [true, false, true, true]);

  await retention.assertKept(app, releases[3]!);
  await retention.assertKept(app, releases[4]!);
  await assert.rejects(
    retention.assertKept(app, releases[1]!),
    (err: unknown) => err instanceof AppError && err.code === 'invalid_params' && /^The image of v2 has been removed \(paas keeps the images of the last 2 releases/.test(err.message),
  );
  assert.equal(await retention.prune(app), 0, 'the one in use stays');
});

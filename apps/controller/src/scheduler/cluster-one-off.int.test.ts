import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { createLogger } from '@paas/shared';
import { createTestDatabase } from '../db/test-database.js';
import { insertHost } from '../db/hosts.js';
import { oneOffContract } from '../runtime/one-off.contract.js';
import { ClusterRuntime } from './cluster-runtime.js';

// One-offs through the scheduler: placed on a registered host (here the local engine), the image
// ensured there, then run by that host's backend.
oneOffContract('ClusterRuntime', async () => {
  const docker = new Docker();
  const db = await createTestDatabase();
  const cluster = `test-${randomBytes(4).toString('hex')}`;
  await insertHost(db.pool, { name: 'local', dockerUrl: 'unix:///var/run/docker.sock', address: '127.0.0.1', capacityMemoryMb: null, labels: {}, tls: null });
  const runtime = new ClusterRuntime({
    pool: db.pool,
    cluster,
    imageSource: docker,
    localPublishAddress: '127.0.0.1',
    defaultMemoryMb: 128,
    failuresBeforeDown: 2,
    log: createLogger('test', 'silent'),
  });
  await runtime.checkHealth();
  return {
    runtime,
    image: 'paas/run:bookworm',
    close: async () => {
      const left = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } });
      await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
      for (const n of await docker.listNetworks({ filters: { label: [`paas.cluster=${cluster}`] } })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
      await db.drop();
    },
  };
});

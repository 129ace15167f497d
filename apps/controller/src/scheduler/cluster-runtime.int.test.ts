import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { createLogger } from '@paas/shared';
import { createTestDatabase } from '../db/test-database.js';
import { insertHost } from '../db/hosts.js';
import { runtimeBackendContract } from '../runtime/runtime-backend.contract.js';
import { dockerEngineHooks, stalledEngine } from '../runtime/docker-contract-subject.js';
import { ClusterRuntime, type ClusterRuntimeOptions } from './cluster-runtime.js';

const log = createLogger('test', 'silent');

// The cluster runtime under the runtime contract: the local engine as its one registered host (and as
// the engine images come from), real PostgreSQL for the host table.
runtimeBackendContract('ClusterRuntime', async () => {
  const docker = new Docker();
  const db = await createTestDatabase();
  const cluster = `test-${randomBytes(4).toString('hex')}`;
  const options = (over: Partial<ClusterRuntimeOptions> = {}): ClusterRuntimeOptions => ({
    pool: db.pool,
    cluster,
    imageSource: docker,
    localPublishAddress: '127.0.0.1',
    defaultMemoryMb: 128,
    failuresBeforeDown: 2,
    log,
    ...over,
  });
  await insertHost(db.pool, { name: 'local', dockerUrl: 'unix:///var/run/docker.sock', address: '127.0.0.1', capacityMemoryMb: null, labels: {}, tls: null });
  const backend = new ClusterRuntime(options());
  await backend.checkHealth();
  const { cleanup, ...hooks } = dockerEngineHooks(docker, cluster);
  const stalledDbs: (() => Promise<void>)[] = [];
  return {
    backend,
    image: 'paas/run:bookworm',
    ...hooks,
    close: async () => {
      await cleanup();
      await db.drop();
      for (const drop of stalledDbs) await drop();
    },
    // A cluster of one host whose engine hangs (the host is registered up, as it was when it was added).
    stalled: async () => {
      const engine = await stalledEngine();
      const hungDb = await createTestDatabase();
      stalledDbs.push(() => hungDb.drop());
      await insertHost(hungDb.pool, { name: 'hung', dockerUrl: engine.url, address: '127.0.0.1', capacityMemoryMb: null, labels: {}, tls: null });
      return {
        backend: new ClusterRuntime(options({ pool: hungDb.pool, callTimeoutMs: 500, hostListTimeoutMs: 500, imageTransferTimeoutMs: 500 })),
        close: engine.close,
      };
    },
  };
});

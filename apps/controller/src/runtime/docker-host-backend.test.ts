import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { createLogger } from '@paas/shared';
import { DockerHostBackend } from './docker-host-backend.js';
import { runtimeBackendContract } from './runtime-backend.contract.js';

runtimeBackendContract('DockerHostBackend', async () => {
  const docker = new Docker();
  const cluster = `test-${randomBytes(4).toString('hex')}`;
  const backend = new DockerHostBackend({
    docker,
    hostName: 'local',
    publishAddress: '127.0.0.1',
    address: '127.0.0.1',
    cluster,
    log: createLogger('test', 'silent'),
  });
  return {
    backend,
    image: 'paas/run:bookworm',
    kill: async (_backend, id) => {
      await docker.getContainer(id).kill();
    },
    close: async () => {
      const left = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } });
      await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
      for (const n of await docker.listNetworks({ filters: { label: [`paas.cluster=${cluster}`] } })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
    },
  };
});

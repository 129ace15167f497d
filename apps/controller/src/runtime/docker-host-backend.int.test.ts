import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { createLogger } from '@paas/shared';
import { DockerHostBackend } from './docker-host-backend.js';
import { runtimeBackendContract } from './runtime-backend.contract.js';
import { dockerEngineHooks, stalledEngine } from './docker-contract-subject.js';

const log = createLogger('test', 'silent');

runtimeBackendContract('DockerHostBackend', async () => {
  const docker = new Docker();
  const cluster = `test-${randomBytes(4).toString('hex')}`;
  const backend = new DockerHostBackend({ docker, hostName: 'local', publishAddress: '127.0.0.1', address: '127.0.0.1', cluster, log });
  const { cleanup, ...hooks } = dockerEngineHooks(docker, cluster);
  return {
    backend,
    image: 'paas/run:bookworm',
    ...hooks,
    close: cleanup,
    stalled: async () => {
      const engine = await stalledEngine();
      const hung = new Docker({ protocol: 'http', host: '127.0.0.1', port: engine.port });
      return {
        backend: new DockerHostBackend({ docker: hung, hostName: 'hung', publishAddress: '127.0.0.1', address: '127.0.0.1', cluster, callTimeoutMs: 500, log }),
        close: engine.close,
      };
    },
  };
});

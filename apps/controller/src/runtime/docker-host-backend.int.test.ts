import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { createLogger } from '@paas/shared';
import { eventually } from '@paas/test-kit';
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

test('logs: the frames of stdout and stderr come out as the text the process wrote', { timeout: 60_000 }, async () => {
  const docker = new Docker();
  const cluster = `test-${randomBytes(4).toString('hex')}`;
  const backend = new DockerHostBackend({ docker, hostName: 'local', publishAddress: '127.0.0.1', address: '127.0.0.1', cluster, log: createLogger('test', 'silent') });
  try {
    const script = 'echo out-1; echo err-1 >&2; echo out-2; echo done; sleep 60';
    const p = await backend.start({ app: 'demux', release: 1, type: 'worker', index: 1, image: 'paas/run:bookworm', command: script, env: {}, port: 5000, publish: false });
    const text = await eventually(async () => {
      const t = await backend.logs(p.id, 10);
      return t.includes('done') ? t : undefined;
    }, 'the last line', 30_000);
    // stdout and stderr are two pipes: their lines keep their order within each stream only.
    assert.deepEqual(text.split('\n').filter((l) => l.startsWith('out') || l === 'done'), ['out-1', 'out-2', 'done']);
    assert.deepEqual(text.split('\n').sort(), ['', 'done', 'err-1', 'out-1', 'out-2'], 'no frame header bytes in the text');
  } finally {
    await backend.removeAppResources('demux');
    for (const n of await docker.listNetworks({ filters: { label: [`paas.cluster=${cluster}`] } })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
  }
});

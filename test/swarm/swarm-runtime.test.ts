/**
 * The Swarm runtime against a real Swarm: a one-node swarm (a Docker-in-Docker manager) runs the
 * RuntimeBackend and one-off contract suites the docker-hosts runtime and the in-memory fake pass.
 * The machine's own engine is never put in swarm mode.
 */
import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { createLogger } from '@paas/shared';
import { runtimeBackendContract } from '../../apps/controller/src/runtime/runtime-backend.contract.js';
import { oneOffContract } from '../../apps/controller/src/runtime/one-off.contract.js';
import { dockerEngineHooks, stalledEngine } from '../../apps/controller/src/runtime/docker-contract-subject.js';
import { SwarmRuntime } from '../../apps/controller/src/runtime/swarm/swarm-runtime.js';
import { SaveLoadSwarmImages } from '../../apps/controller/src/runtime/swarm/swarm-images.js';
import type { SwarmTask } from '../../apps/controller/src/runtime/swarm/swarm-tasks.js';
import type { RuntimeBackend } from '../../apps/controller/src/runtime/runtime-backend.js';
import { startSwarm, type DindSwarm } from '../helpers/dind-swarm.js';

const log = createLogger('test', 'silent');
let swarm: Promise<DindSwarm> | undefined;
const theSwarm = (): Promise<DindSwarm> => (swarm ??= startSwarm(0, 'swarmc'));
after(async () => {
  if (swarm) await (await swarm).remove();
});

function runtime(manager: Docker, cluster: string, callTimeoutMs?: number): SwarmRuntime {
  return new SwarmRuntime({
    manager,
    cluster,
    // The manager's engine is the image source: what a test commits there is what the nodes run.
    imageSource: manager,
    images: new SaveLoadSwarmImages({ manager, imageSource: manager, cluster, log }),
    stopGraceSeconds: 2,
    restartDelaySeconds: 2,
    ...(callTimeoutMs ? { callTimeoutMs } : {}),
    log,
  });
}

/** The container of a process's current task (on the one node). */
async function containerOf(manager: Docker, id: string): Promise<string> {
  const [service, slot] = id.split('.');
  const tasks = (await manager.listTasks({ filters: { service: [service!] } })) as SwarmTask[];
  const task = tasks.filter((t) => String(t.Slot) === slot && t.Status?.State === 'running')[0];
  const container = task?.Status?.ContainerStatus?.ContainerID;
  if (!container) throw new Error(`no running task for ${id}`);
  return container;
}

async function cleanup(manager: Docker, cluster: string): Promise<void> {
  for (const s of await manager.listServices({ filters: { label: [`paas.cluster=${cluster}`] } })) await manager.getService(s.ID).remove().catch(() => undefined);
  for (let i = 0; i < 20 && (await manager.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } })).length > 0; i++) await new Promise((r) => setTimeout(r, 250));
  for (const n of await manager.listNetworks({ filters: { label: [`paas.cluster=${cluster}`] } })) await manager.getNetwork(n.Id).remove().catch(() => undefined);
  for (const i of await manager.listImages({ filters: { label: [`paas.cluster=${cluster}`] } })) await manager.getImage(i.Id).remove({ force: true }).catch(() => undefined);
}

runtimeBackendContract('SwarmRuntime', async () => {
  const { manager } = await theSwarm();
  const docker = manager.docker;
  const cluster = `test-${randomBytes(4).toString('hex')}`;
  // The docker-hosts hooks, aimed at the container of the process's current task.
  const { cleanup: _removeContainers, ...hooks } = dockerEngineHooks(docker, cluster);
  return {
    backend: runtime(docker, cluster),
    image: 'paas/run:bookworm',
    recovers: true,
    kill: async (b: RuntimeBackend, id: string) => hooks.kill(b, await containerOf(docker, id)),
    crash: async (b: RuntimeBackend, id: string) => hooks.crash(b, await containerOf(docker, id)),
    write: async (b: RuntimeBackend, id: string, mb: number) => hooks.write(b, await containerOf(docker, id), mb),
    addImage: hooks.addImage,
    hasImage: hooks.hasImage,
    close: () => cleanup(docker, cluster),
    stalled: async () => {
      const engine = await stalledEngine();
      const hung = new Docker({ protocol: 'http', host: '127.0.0.1', port: engine.port });
      return { backend: runtime(hung, cluster, 500), close: engine.close };
    },
  };
});

oneOffContract('SwarmRuntime', async () => {
  const { manager } = await theSwarm();
  const cluster = `test-${randomBytes(4).toString('hex')}`;
  return { runtime: runtime(manager.docker, cluster), image: 'paas/run:bookworm', close: () => cleanup(manager.docker, cluster) };
});

import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import Docker from 'dockerode';
import type { RuntimeBackend } from './runtime-backend.js';
import type { RuntimeContractSubject } from './runtime-backend.contract.js';

/**
 * The parts of a runtime contract subject (runtime-backend.contract.ts) that play the engine's part
 * on the local Docker engine, for the Docker and the cluster runtimes: everything made is labelled with
 * `cluster`, and `cleanup` removes it.
 */
export function dockerEngineHooks(docker: Docker, cluster: string): Omit<RuntimeContractSubject, 'backend' | 'image' | 'close' | 'stalled'> & { cleanup: () => Promise<void> } {
  const exec = async (id: string, script: string): Promise<void> => {
    const e = await docker.getContainer(id).exec({ Cmd: ['sh', '-c', script], AttachStdout: true, AttachStderr: true });
    const stream = await e.start({});
    await new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
      stream.resume();
    });
  };
  return {
    kill: async (_b: RuntimeBackend, id: string) => {
      await docker.getContainer(id).kill();
    },
    // Every process but the init dies: the container exits on its own, and its command crashes from now on.
    crash: (_b: RuntimeBackend, id: string) => exec(id, 'touch /tmp/crash; kill -KILL -1'),
    write: (_b: RuntimeBackend, id: string, mb: number) => exec(id, `dd if=/dev/zero of=/tmp/written-$$ bs=1M count=${mb} 2>/dev/null`),
    addImage: async (app, ref) => {
      const base = await docker.createContainer({ Image: 'paas/run:bookworm', Cmd: ['true'], Labels: { 'paas.cluster': cluster } });
      try {
        const [repo, tag] = [ref.slice(0, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1)];
        await base.commit({ repo, tag, changes: [`LABEL paas.cluster=${cluster} paas.app=${app}`] });
      } finally {
        await base.remove({ force: true });
      }
    },
    hasImage: async (ref) =>
      docker
        .getImage(ref)
        .inspect()
        .then(() => true)
        .catch(() => false),
    cleanup: async () => {
      const left = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } });
      await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
      for (const n of await docker.listNetworks({ filters: { label: [`paas.cluster=${cluster}`] } })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
      for (const i of await docker.listImages({ filters: { label: [`paas.cluster=${cluster}`] } })) await docker.getImage(i.Id).remove({ force: true }).catch(() => undefined);
    },
  };
}

/** A TCP server that accepts connections and never answers: an engine that hangs. */
export async function stalledEngine(): Promise<{ url: string; port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `tcp://127.0.0.1:${port}`,
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A Docker Swarm for tests and benchmarks, made of Docker-in-Docker hosts (dind.ts): the first is the
 * manager (`docker swarm init`), the others join it as workers. The machine's own engine is never
 * put in swarm mode (other suites share it). Every node carries the label `paas.engine` with its
 * Docker URL, which the Swarm runtime's image copy needs (swarm-images.ts), and holds
 * paas/run:bookworm.
 *
 *   const swarm = await startSwarm(1, 'swarm');   // a manager and one worker
 *   try { … } finally { await swarm.remove(); }
 */
import Docker from 'dockerode';
import { transferImage } from '../../apps/controller/src/runtime/image-transfer.js';
import { removeDindHosts, startDindHosts, type DindHost } from './dind.js';

export interface DindSwarm {
  manager: DindHost;
  workers: DindHost[];
  /** Every node: the manager first. */
  nodes: DindHost[];
  /** `tcp://…:2375` of the manager, for PAAS_SWARM_MANAGER. */
  managerUrl: string;
  /** The node whose engine is `host`'s, by Swarm's node id. */
  nodeIdOf(host: DindHost): Promise<string>;
  remove(): Promise<void>;
}

const runImage = 'paas/run:bookworm';

export async function startSwarm(workers: number, prefix = 'swarm'): Promise<DindSwarm> {
  const hosts = await startDindHosts(1 + workers, prefix);
  try {
    const [manager, ...rest] = hosts as [DindHost, ...DindHost[]];
    // The overlay networks' subnets stay clear of the DinD hosts' own (10.213/24, 10.253/24, 10.254/16).
    await manager.docker.swarmInit({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: manager.address, DefaultAddrPool: ['10.201.0.0/16'], SubnetSize: 24 });
    const info = (await manager.docker.swarmInspect()) as { JoinTokens: { Worker: string } };
    await Promise.all(rest.map((w) => w.docker.swarmJoin({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: w.address, RemoteAddrs: [`${manager.address}:2377`], JoinToken: info.JoinTokens.Worker })));
    const local = new Docker();
    await Promise.all(hosts.map((h) => transferImage(local, h.docker, runImage)));
    const nodeIdOf = async (host: DindHost): Promise<string> => ((await host.docker.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;
    for (const h of hosts) {
      const node = manager.docker.getNode(await nodeIdOf(h));
      const n = (await node.inspect()) as { Version: { Index: number }; Spec: { Labels?: Record<string, string> } };
      await node.update({ version: n.Version.Index, ...n.Spec, Labels: { ...n.Spec.Labels, 'paas.engine': h.dockerUrl } });
    }
    return {
      manager,
      workers: rest,
      nodes: hosts,
      managerUrl: manager.dockerUrl,
      nodeIdOf,
      remove: () => removeDindHosts(hosts),
    };
  } catch (err) {
    await removeDindHosts(hosts).catch(() => undefined);
    throw err;
  }
}

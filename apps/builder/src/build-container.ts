import type Docker from 'dockerode';
import { buildNetworkName, ensureBridgeNetwork, type NetworkPool, type StackName } from '@paas/shared';
import { cacheVolumeName } from './image-name.js';

/** Labels on everything the builder creates, so a cluster's (or a test's) objects can be found and removed. */
export function paasLabels(cluster: string, app: string, buildId?: string): Record<string, string> {
  return { 'paas.cluster': cluster, 'paas.app': app, ...(buildId === undefined ? {} : { 'paas.build': buildId }) };
}

/**
 * The app's cache volume (CACHE_DIR), created unless it exists. A volume of an older cache epoch (the
 * cache was purged since it was made) or of another stack (what a build on bookworm left is no use on
 * trixie: other libraries, another Python) is removed first, so the build starts with an empty cache.
 * Volumes from before stacks carry no stack label: they were made on bookworm. Returns its name and
 * why it was emptied, if it was.
 */
export async function ensureCacheVolume(
  docker: Docker,
  cluster: string,
  app: string,
  epoch: string,
  stack: StackName = 'bookworm',
): Promise<{ name: string; purged: false | 'epoch' | 'stack'; previousStack?: string }> {
  const name = cacheVolumeName(cluster, app);
  let purged: false | 'epoch' | 'stack' = false;
  let previousStack: string | undefined;
  try {
    const existing = await docker.getVolume(name).inspect();
    const labels = existing.Labels ?? {};
    previousStack = labels['paas.stack'] ?? 'bookworm';
    if ((labels['paas.cache-epoch'] ?? '0') !== epoch) purged = 'epoch';
    else if (previousStack !== stack) purged = 'stack';
    if (purged) await docker.getVolume(name).remove();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  // creating a volume that exists is a no-op that returns it
  await docker.createVolume({ Name: name, Labels: { ...paasLabels(cluster, app), 'paas.cache-epoch': epoch, 'paas.stack': stack } });
  return purged === 'stack' ? { name, purged, previousStack: previousStack! } : { name, purged };
}

/**
 * The network builds run on, made when missing: out of the apps' networks and the host's reach (see
 * the controller's host-firewall.ts), and builds do not reach each other on it (no inter-container
 * traffic); the internet stays open for the builds' package registries.
 */
export async function ensureBuildNetwork(docker: Docker, cluster: string, pool: NetworkPool): Promise<string> {
  const name = buildNetworkName(cluster);
  await ensureBridgeNetwork(docker, { name, labels: { 'paas.cluster': cluster, 'paas.role': 'build-network' }, icc: false, pool });
  return name;
}

export interface BuildContainerOptions {
  image: string;
  cluster: string;
  app: string;
  buildId: string;
  memoryMb: number;
  /** CPU cores (fractions allowed). */
  cpus: number;
  /** PID limit (PAAS_BUILD_PIDS_LIMIT). */
  pidsLimit: number;
  /** The build network (ensureBuildNetwork). */
  network: string;
  cacheVolume: string;
  /** Variables for every process in the container (e.g. NODE_EXTRA_CA_CERTS). */
  env: string[];
  /** The builder process making it (label paas.builder, leftover-builds.ts): its leftovers are found by it. */
  builder?: string;
}

/**
 * Capabilities the build container keeps, for the builder's own steps that run as root in it
 * (slug-image.ts: `kill -9 -1` stops what the build left, then the build's files are moved, listed,
 * digested and archived whatever modes the buildpacks gave them; buildpack-steps.ts reads the
 * cgroup's OOM counter). The buildpacks themselves run as the unprivileged paas user, whose
 * processes get no capability (and no-new-privileges keeps setuid binaries from granting one).
 */
export const buildCapabilities = [
  'KILL', // root's `kill -9 -1` signals the paas user's leftover processes
  'DAC_OVERRIDE', // moving /app's layer directories (owned by paas, 0755) as root
  'DAC_READ_SEARCH', // listing, digesting and reading files a buildpack left unreadable (0000)
];

/**
 * Creates and starts an idle build container; the build's steps run in it as execs. Hardened like
 * app containers (no capabilities but `buildCapabilities`, no-new-privileges, a PID limit, memory
 * and CPU limits, no host mounts or devices, never privileged).
 */
export async function startBuildContainer(docker: Docker, o: BuildContainerOptions): Promise<Docker.Container> {
  const container = await docker.createContainer({
    Image: o.image,
    Cmd: ['sleep', 'infinity'],
    WorkingDir: '/app',
    Env: o.env,
    Labels: { ...paasLabels(o.cluster, o.app, o.buildId), 'paas.role': 'build', ...(o.builder ? { 'paas.builder': o.builder } : {}) },
    HostConfig: {
      Memory: o.memoryMb * 1024 * 1024,
      MemorySwap: o.memoryMb * 1024 * 1024,
      NanoCpus: Math.round(o.cpus * 1e9),
      PidsLimit: o.pidsLimit,
      NetworkMode: o.network,
      CapDrop: ['ALL'],
      CapAdd: buildCapabilities,
      SecurityOpt: ['no-new-privileges'],
      Privileged: false,
      Devices: [],
      Mounts: [{ Type: 'volume', Source: o.cacheVolume, Target: '/cache' }],
    },
  });
  try {
    await container.start();
  } catch (err) {
    await removeContainer(container);
    throw err;
  }
  return container;
}

/** Removes a container whatever its state, and waits until it is gone; a container already gone is fine. */
export async function removeContainer(container: Docker.Container): Promise<void> {
  // The engine can refuse a forced removal for a moment (a 500 while an exec in the container is
  // still being torn down, say): try again a few times before giving up.
  for (let attempt = 1; ; attempt++) {
    try {
      await container.remove({ force: true });
      return;
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 404) return;
      if (status === 409) break;
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
  // 409: another removal is in progress (e.g. a timeout's kill); wait for it to finish
  for (let i = 0; i < 100; i++) {
    try {
      await container.inspect();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return;
      throw err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`container ${container.id} is still being removed after 10s`);
}

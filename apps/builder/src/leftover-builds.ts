import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type Docker from 'dockerode';
import type { Redis } from 'ioredis';
import { pidAlive, type Logger, type RedisKeys } from '@paas/shared';
import { removeContainer } from './build-container.js';

/** Which builder process made a build container: label `paas.builder` = `host/pid/instance`. */
export interface BuilderIdentity {
  host: string;
  pid: number;
  /** Random per process: a builder restarted with the same host and pid (pid 1 in a container) is another one. */
  instance: string;
}

export function newBuilderIdentity(): BuilderIdentity {
  return { host: hostname(), pid: process.pid, instance: randomBytes(6).toString('hex') };
}

export function builderLabel(id: BuilderIdentity): string {
  return `${id.host}/${id.pid}/${id.instance}`;
}

function parseBuilderLabel(label: string | undefined): BuilderIdentity | undefined {
  const m = /^(.+)\/(\d+)\/([0-9a-f]+)$/.exec(label ?? '');
  return m ? { host: m[1]!, pid: Number(m[2]), instance: m[3]! } : undefined;
}

export interface LeftoverSweepOptions {
  docker: Docker;
  redis: Redis;
  keys: RedisKeys;
  cluster: string;
  self: BuilderIdentity;
  log: Logger;
  alive?: (pid: number) => boolean;
}

/**
 * Removes build containers (`sleep infinity`, label paas.role=build) whose builder is gone: made by
 * a builder process of this host that no longer runs (killed mid-build), or whose build job no
 * builder holds (its BullMQ lock expired). A container of a builder that still runs elsewhere, whose
 * job it holds, stays; this builder's own containers stay. Returns the ids removed.
 */
export async function removeLeftoverBuildContainers(o: LeftoverSweepOptions): Promise<string[]> {
  const alive = o.alive ?? pidAlive;
  const containers = await o.docker.listContainers({ all: true, filters: { label: [`paas.cluster=${o.cluster}`, 'paas.role=build'] } });
  const removed: string[] = [];
  for (const c of containers) {
    const owner = parseBuilderLabel(c.Labels['paas.builder']);
    if (owner?.instance === o.self.instance) continue;
    const buildId = c.Labels['paas.build'];
    let leftover = owner !== undefined && owner.host === o.self.host && (owner.pid === o.self.pid || !alive(owner.pid));
    if (!leftover) leftover = !buildId || !(await o.redis.exists(o.keys.buildJobLock(buildId)));
    if (!leftover) continue;
    try {
      await removeContainer(o.docker.getContainer(c.Id));
      removed.push(c.Id);
      o.log.warn({ container: c.Id, build: buildId, builder: c.Labels['paas.builder'] }, 'removed a build container its builder left behind');
    } catch (err) {
      o.log.warn({ container: c.Id, err: (err as Error).message }, 'could not remove a leftover build container');
    }
  }
  return removed;
}

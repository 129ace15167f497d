import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { extract as tarExtract } from 'tar-stream';
import { containerLabel } from './container-labels.js';

/** PID limit of an app's container when the operator sets none (PAAS_APP_PIDS_LIMIT). */
export const defaultAppPidsLimit = 512;

/** What a process whose image would run it as root runs as instead (no such user in any image). */
export const unprivilegedUser = '10000:10000';

/**
 * The HostConfig every app and one-off container gets: no capabilities, no privilege gained through
 * setuid binaries or file capabilities, a PID limit, nothing of the host (no mounts, no devices,
 * never privileged, never the host's network or PID namespace). Only the operator's settings change
 * the limit; nothing an app declares reaches this.
 */
export function hardenedHostConfig(pidsLimit: number): Docker.HostConfig {
  return {
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges'],
    PidsLimit: pidsLimit,
    Privileged: false,
    Binds: [],
    Mounts: [],
    Devices: [],
    // Its own network namespace: an app may listen on a port under 1024 without NET_BIND_SERVICE.
    Sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' },
  };
}

/** What the operator loosened for one app (db/app-hardening.ts); the runtime never gets it from the app. */
export interface HardeningExceptions {
  cap_add: string[];
  pids_limit: number | null;
  image_user: boolean;
  no_new_privileges: boolean;
}

/**
 * The hardened HostConfig and user with the operator's exceptions for the app applied: capabilities
 * added back (at most the engine's defaults: the database refuses others), another PID limit, the
 * image's own user kept (root included), no-new-privileges off. Nothing else can change.
 */
export function withExceptions(
  base: Docker.HostConfig,
  userOverride: string | undefined,
  exceptions: HardeningExceptions | undefined,
): { hostConfig: Docker.HostConfig; user: string | undefined } {
  if (!exceptions) return { hostConfig: base, user: userOverride };
  return {
    hostConfig: {
      ...base,
      ...(exceptions.cap_add.length > 0 ? { CapAdd: [...exceptions.cap_add] } : {}),
      ...(exceptions.pids_limit !== null ? { PidsLimit: exceptions.pids_limit } : {}),
      SecurityOpt: exceptions.no_new_privileges ? base.SecurityOpt : (base.SecurityOpt ?? []).filter((o: string) => o !== 'no-new-privileges'),
    },
    user: exceptions.image_user ? undefined : userOverride,
  };
}

/**
 * The container's labels: the platform's own, with every other `paas.*` label its image carries set
 * to the empty value. The engine merges an image's labels into its containers', so a Dockerfile's
 * `LABEL paas.role=…` would otherwise reach the platform's filters; every label the platform reads
 * is given here, and the rest are blanked (no filter matches an empty value).
 */
export function platformLabels(own: Record<string, string>, imageLabels: Record<string, string> | null | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const key of Object.keys(imageLabels ?? {})) if (key.startsWith('paas.')) labels[key] = '';
  for (const key of Object.values(containerLabel)) labels[key] = '';
  return { ...labels, ...own };
}

/** What the runtime needs to know of an image before it runs it. */
export interface ImageRunFacts {
  /** The user to run as instead of the image's own; undefined keeps the image's (not root). */
  userOverride: string | undefined;
  labels: Record<string, string>;
}

/** The uid a `USER` value names in an image, from its /etc/passwd for a name; undefined when unknown. */
export function uidOf(user: string, passwd: string | undefined): number | undefined {
  const name = user.split(':')[0] ?? '';
  if (name === '') return 0;
  if (/^\d+$/.test(name)) return Number(name);
  for (const line of (passwd ?? '').split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields.length >= 3 && /^\d+$/.test(fields[2]!)) return Number(fields[2]);
  }
  return undefined;
}

/**
 * Reads, once per image, the user it would run as and its labels. An image whose user is root (or
 * unset, or a name its /etc/passwd does not give a uid other than 0) runs as `unprivilegedUser`,
 * unless the engine remaps user namespaces (`userns-remap`): then its root is an unprivileged uid on
 * the host already and the image runs as it was built.
 */
export class ImageRunFactsCache {
  private readonly byId = new Map<string, Promise<ImageRunFacts>>();
  private usernsRemap: Promise<boolean> | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly cluster: string,
  ) {}

  async of(image: string): Promise<ImageRunFacts> {
    const info = await this.docker.getImage(image).inspect();
    let facts = this.byId.get(info.Id);
    if (facts === undefined) {
      facts = this.read(image, info);
      this.byId.set(info.Id, facts);
      facts.catch(() => this.byId.delete(info.Id));
      if (this.byId.size > 500) this.byId.delete(this.byId.keys().next().value!);
    }
    return facts;
  }

  private async read(image: string, info: Docker.ImageInspectInfo): Promise<ImageRunFacts> {
    const labels = info.Config?.Labels ?? {};
    const user = info.Config?.User ?? '';
    if (await this.remapped()) return { userOverride: undefined, labels };
    const name = user.split(':')[0] ?? '';
    const passwd = name !== '' && !/^\d+$/.test(name) ? await this.passwdOf(image, labels) : undefined;
    const uid = uidOf(user, passwd);
    return { userOverride: uid === undefined || uid === 0 ? unprivilegedUser : undefined, labels };
  }

  private remapped(): Promise<boolean> {
    this.usernsRemap ??= this.docker.info().then((i: { SecurityOptions?: string[] }) => (i.SecurityOptions ?? []).some((o) => o.includes('name=userns')));
    this.usernsRemap.catch(() => (this.usernsRemap = undefined));
    return this.usernsRemap;
  }

  /** The image's /etc/passwd (at most 1 MB), read from a container that is never started. */
  private async passwdOf(image: string, imageLabels: Record<string, string>): Promise<string | undefined> {
    const container = await this.docker.createContainer({
      Image: image,
      Entrypoint: ['/nonexistent'],
      Labels: platformLabels({ [containerLabel.cluster]: this.cluster, [containerLabel.role]: 'inspect' }, imageLabels),
      NetworkDisabled: true,
    });
    try {
      const archive = (await container.getArchive({ path: '/etc/passwd' })) as Readable;
      return await firstRegularFile(archive, 1024 * 1024);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  }
}

/** The content of the first entry of a tar stream when it is a regular file under `limit` bytes. */
function firstRegularFile(archive: Readable, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const extract = tarExtract();
    let result: string | undefined;
    let seen = false;
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const take = !seen && header.type === 'file' && (header.size ?? 0) <= limit;
      seen = true;
      stream.on('data', (c: unknown) => {
        size += (c as Buffer).length;
        if (take && size <= limit) chunks.push(c as Buffer);
      });
      stream.on('end', () => {
        if (take) result = Buffer.concat(chunks).toString('utf8');
        next();
      });
      stream.resume();
    });
    extract.on('finish', () => resolve(result));
    extract.on('error', reject);
    archive.on('error', reject);
    archive.pipe(extract);
  });
}

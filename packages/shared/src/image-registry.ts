/**
 * The image registry releases travel through (Distribution's HTTP API v2): the builder pushes each
 * release image to it, hosts pull from it, and images of expired releases are deleted from it.
 * Release images keep their local names everywhere (`paas/<app>:b-…`): the registry's name of an
 * image (`<registry>/paas/<app>:b-…`) exists only while it is pushed or pulled.
 *
 * Settings (PAAS_REGISTRY …, parsed with `registryEnvShape` by each app's config):
 * - `PAAS_REGISTRY`: `host:port`, `http://host:port` or `https://host:port` (no scheme: http for a
 *   loopback address, where Docker allows plain HTTP by default; https otherwise);
 * - `PAAS_REGISTRY_HOSTS_ADDRESS`: `host:port` other hosts reach it at (default: PAAS_REGISTRY's);
 * - `PAAS_REGISTRY_USERNAME` / `PAAS_REGISTRY_PASSWORD`: basic-auth credentials;
 * - `PAAS_REGISTRY_CA_FILE`: a CA (PEM) the registry's certificate is checked with (paas's own CA
 *   for the embedded registry in TLS mode).
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { z } from 'zod';
import { AppError, toError } from './errors.js';

const hostPort = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/;

/** The zod fields of the registry settings, spread into an app's environment schema. */
export const registryEnvShape = {
  PAAS_REGISTRY: z
    .string()
    .regex(/^(https?:\/\/)?[^/\s]+\/?$/, 'must be host:port, http://host:port or https://host:port')
    .refine((v) => hostPort.test(v.replace(/^https?:\/\//, '').replace(/\/$/, '')), 'must be host:port, http://host:port or https://host:port')
    .optional(),
  PAAS_REGISTRY_HOSTS_ADDRESS: z.string().regex(hostPort, 'must be host:port').optional(),
  PAAS_REGISTRY_USERNAME: z.string().min(1).max(200).optional(),
  PAAS_REGISTRY_PASSWORD: z.string().min(1).max(500).optional(),
  PAAS_REGISTRY_CA_FILE: z.string().min(1).optional(),
};

export interface RegistrySettings {
  /** `host:port` the builder pushes to and the API calls go to. */
  address: string;
  /** `host:port` other hosts pull from. */
  hostsAddress: string;
  scheme: 'http' | 'https';
  username?: string;
  password?: string;
  /** PEM of the CA that signed the registry's certificate, when not a public one. */
  ca?: string;
  /** A file holding that CA, read at each call (the embedded registry writes it when it starts). */
  caFile?: string;
}

type RegistryEnv = { [K in keyof typeof registryEnvShape]?: string | undefined };

/** The settings from a parsed environment; undefined when no registry is configured. */
export function registrySettings(env: RegistryEnv): RegistrySettings | undefined {
  if (!env.PAAS_REGISTRY) return undefined;
  const m = /^(?:(https?):\/\/)?([^/]+)\/?$/.exec(env.PAAS_REGISTRY)!;
  const address = m[2]!;
  const host = address.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || /^127\./.test(host) || host === '::1';
  if ((env.PAAS_REGISTRY_USERNAME === undefined) !== (env.PAAS_REGISTRY_PASSWORD === undefined)) {
    throw new Error('invalid configuration:\n  PAAS_REGISTRY_PASSWORD: PAAS_REGISTRY_USERNAME and PAAS_REGISTRY_PASSWORD go together');
  }
  return {
    address,
    hostsAddress: env.PAAS_REGISTRY_HOSTS_ADDRESS ?? address,
    scheme: (m[1] as 'http' | 'https' | undefined) ?? (loopback ? 'http' : 'https'),
    ...(env.PAAS_REGISTRY_USERNAME ? { username: env.PAAS_REGISTRY_USERNAME, password: env.PAAS_REGISTRY_PASSWORD } : {}),
    ...(env.PAAS_REGISTRY_CA_FILE ? { caFile: env.PAAS_REGISTRY_CA_FILE } : {}),
  };
}

/** `repo` and `tag` of a local image reference such as `paas/shop:b-1234`. */
export function splitImageRef(image: string): { repo: string; tag: string } {
  const m = /^([a-z0-9]+(?:[._/-][a-z0-9]+)*):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(image);
  if (!m) throw new AppError('invalid_params', `${image} is not a repository:tag image reference`);
  return { repo: m[1]!, tag: m[2]! };
}

export interface RegistryCallOptions {
  signal?: AbortSignal;
}

/** A pull's or push's outcome. */
export interface RegistryTransfer {
  /** The registry's name of the image that was pushed or pulled. */
  remote: string;
  ms: number;
}

/** The Distribution registry paas pushes release images to and hosts pull them from. */
export class ImageRegistry {
  constructor(readonly settings: RegistrySettings) {}

  /** The registry's name of a local image, as the builder's engine (`push`) or another host (`hosts`) reaches it. */
  remoteRef(image: string, from: 'push' | 'hosts' = 'push'): string {
    const { repo, tag } = splitImageRef(image);
    return `${from === 'push' ? this.settings.address : this.settings.hostsAddress}/${repo}:${tag}`;
  }

  private authconfig(serveraddress: string): Record<string, string> {
    return this.settings.username
      ? { username: this.settings.username, password: this.settings.password ?? '', serveraddress }
      : { serveraddress };
  }

  /** Pushes a local image of `docker` to the registry (under its registry name, untagged again after). */
  async push(docker: Docker, image: string, options: RegistryCallOptions = {}): Promise<RegistryTransfer> {
    const started = Date.now();
    const remote = this.remoteRef(image, 'push');
    const { repo, tag } = splitImageRef(remote.slice(this.settings.address.length + 1));
    const target = `${this.settings.address}/${repo}`;
    try {
      await docker.getImage(image).tag({ repo: target, tag });
      const stream = (await docker.getImage(remote).push({ authconfig: this.authconfig(this.settings.address), abortSignal: options.signal } as never)) as unknown as Readable;
      await followProgress(docker, stream, options.signal);
    } catch (err) {
      throw registryError(`pushing ${image} to the registry ${this.settings.address} failed`, err, options.signal);
    } finally {
      await docker.getImage(remote).remove({ noprune: true }).catch(() => undefined);
    }
    return { remote, ms: Date.now() - started };
  }

  /**
   * Pulls `image` into `docker` from the registry, as a host reaches it (`from`), and names it
   * `image` there; the registry name is removed again. The image keeps its id and labels.
   */
  async pull(docker: Docker, image: string, from: 'push' | 'hosts', options: RegistryCallOptions = {}): Promise<RegistryTransfer> {
    const started = Date.now();
    const remote = this.remoteRef(image, from);
    const server = from === 'push' ? this.settings.address : this.settings.hostsAddress;
    const { repo, tag } = splitImageRef(image);
    try {
      const stream = (await docker.pull(remote, { authconfig: this.authconfig(server), abortSignal: options.signal } as never)) as unknown as Readable;
      await followProgress(docker, stream, options.signal);
      await docker.getImage(remote).tag({ repo, tag });
    } catch (err) {
      throw registryError(`pulling ${image} from the registry ${server} failed`, err, options.signal);
    } finally {
      await docker.getImage(remote).remove({ noprune: true }).catch(() => undefined);
    }
    return { remote, ms: Date.now() - started };
  }

  /** Answers whether the registry's API answers (401 included: it is up, the credentials are another matter). */
  async ping(options: RegistryCallOptions = {}): Promise<boolean> {
    try {
      const res = await this.call('GET', '/v2/', options);
      return res.status === 200 || res.status === 401;
    } catch {
      return false;
    }
  }

  /** The tags of a repository (none when it does not exist). */
  async tags(repo: string, options: RegistryCallOptions = {}): Promise<string[]> {
    const res = await this.call('GET', `/v2/${repo}/tags/list?n=1000`, options);
    if (res.status === 404) return [];
    if (res.status !== 200) throw this.httpError(`listing the tags of ${repo}`, res);
    const body = JSON.parse(res.body) as { tags?: string[] | null };
    return body.tags ?? [];
  }

  /**
   * Deletes one tagged image's manifest (by its digest, which the registry requires; every tag of the
   * same manifest goes with it). Its blobs are freed by the registry's garbage collection. Answers
   * false when there was no such image.
   */
  async deleteImage(image: string, options: RegistryCallOptions = {}): Promise<boolean> {
    const { repo, tag } = splitImageRef(image);
    const head = await this.call('HEAD', `/v2/${repo}/manifests/${tag}`, options);
    if (head.status === 404) return false;
    const digest = head.headers['docker-content-digest'];
    if (head.status !== 200 || typeof digest !== 'string') throw this.httpError(`looking up ${image}`, head);
    const del = await this.call('DELETE', `/v2/${repo}/manifests/${digest}`, options);
    if (del.status === 404) return false;
    if (del.status !== 202) throw this.httpError(`deleting ${image}`, del);
    return true;
  }

  /** Deletes every image of `repo` whose tag is not in `keep`; answers how many were deleted. */
  async deleteExcept(repo: string, keep: ReadonlySet<string>, options: RegistryCallOptions = {}): Promise<number> {
    let deleted = 0;
    for (const tag of await this.tags(repo, options)) {
      if (keep.has(`${repo}:${tag}`)) continue;
      if (await this.deleteImage(`${repo}:${tag}`, options)) deleted++;
    }
    return deleted;
  }

  private httpError(what: string, res: { status: number; body: string }): AppError {
    const hint = res.status === 405 ? ' (the registry refuses deletes: set storage.delete.enabled)' : '';
    return new AppError('unavailable', `${what} in the registry ${this.settings.address}: HTTP ${res.status}${hint} ${res.body.slice(0, 200)}`.trim(), { retryable: true });
  }

  private call(method: string, path: string, options: RegistryCallOptions): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
    const s = this.settings;
    const [host, port] = splitHostPort(s.address, s.scheme === 'https' ? 443 : 80);
    const headers: Record<string, string> = {
      accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.index.v1+json',
    };
    if (s.username) headers['authorization'] = `Basic ${Buffer.from(`${s.username}:${s.password ?? ''}`).toString('base64')}`;
    const signal = options.signal ?? AbortSignal.timeout(30_000);
    let ca = s.ca;
    try {
      if (!ca && s.caFile) ca = readFileSync(s.caFile, 'utf8');
    } catch (err) {
      return Promise.reject(new AppError('unavailable', `the registry's CA file ${s.caFile} cannot be read: ${(err as Error).message}`, { retryable: true }));
    }
    return new Promise((resolve, reject) => {
      const req = (s.scheme === 'https' ? httpsRequest : httpRequest)(
        { method, host, port, path, headers, signal, ...(s.scheme === 'https' && ca ? { ca } : {}) },
        (res) => {
          let body = '';
          let size = 0;
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            size += chunk.length;
            if (size <= 1_000_000) body += chunk;
            else res.destroy(new Error('the registry answered more than 1 MB'));
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          res.on('error', reject);
        },
      );
      req.on('error', (err) => reject(new AppError('unavailable', `the registry ${s.address} does not answer: ${err.message}`, { retryable: true, cause: err })));
      req.end();
    });
  }
}

function splitHostPort(address: string, defaultPort: number): [string, number] {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(address)!;
  return [m[1]!, m[2] ? Number(m[2]) : defaultPort];
}

/** Reads a push's or pull's progress stream to its end; rejects with the engine's error, if any. */
function followProgress(docker: Docker, stream: Readable, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => void stream.destroy(toError(signal?.reason ?? new Error('aborted')));
    signal?.addEventListener('abort', onAbort, { once: true });
    docker.modem.followProgress(stream as never, (err: Error | null, events: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
      signal?.removeEventListener('abort', onAbort);
      if (err) return reject(err);
      const failed = events.find((e) => e.error || e.errorDetail);
      if (failed) return reject(new Error(failed.errorDetail?.message ?? failed.error));
      resolve();
    });
  });
}

function registryError(what: string, err: unknown, signal?: AbortSignal): AppError {
  const cause = signal?.aborted ? toError(signal.reason) : toError(err);
  if (cause instanceof AppError) return cause;
  return new AppError('unavailable', `${what}: ${cause.message}`, { retryable: true, cause });
}

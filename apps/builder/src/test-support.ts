/* Helpers shared by the builder's integration tests (not used by the builder itself). */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { Redis } from 'ioredis';

export const fixturesDir = new URL('../../../test/fixtures/', import.meta.url).pathname;

/**
 * Makes a source tar the way the controller does: a git repository of `files` (a fixture directory
 * and/or extra files), committed, then `git archive --format=tar HEAD`. Returns the tar's path.
 */
export function gitArchive(outDir: string, name: string, from: { fixture?: string; files?: Record<string, string> }): string {
  const repo = mkdtempSync(join(tmpdir(), 'paas-src-'));
  try {
    if (from.fixture) cpSync(join(fixturesDir, from.fixture), repo, { recursive: true });
    for (const [path, content] of Object.entries(from.files ?? {})) writeFileSync(join(repo, path), content);
    const git = (...args: string[]): void => {
      execFileSync('git', ['-c', 'user.name=paas test', '-c', 'user.email=test@paas.invalid', ...args], { cwd: repo, stdio: 'pipe' });
    };
    git('init', '--quiet');
    git('add', '--all');
    git('commit', '--quiet', '-m', 'fixture');
    const tar = join(outDir, `${name}.tar`);
    execFileSync('git', ['archive', '--format=tar', '--output', tar, 'HEAD'], { cwd: repo, stdio: 'pipe' });
    return tar;
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}

/** The commit a git archive was made from does not matter to the builder; tests use a fixed one. */
export const fakeCommit = '0123456789abcdef0123456789abcdef01234567';

/** Removes every container, image, volume and network labelled with a test's cluster. */
export async function removeCluster(docker: Docker, cluster: string): Promise<void> {
  const filters = JSON.stringify({ label: [`paas.cluster=${cluster}`] });
  for (const c of await docker.listContainers({ all: true, filters })) {
    await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  }
  // a few passes: an image whose child (a slug on a layer image) comes later in the list goes on the next
  for (let pass = 0; pass < 3; pass++) {
    for (const i of await docker.listImages({ filters })) await docker.getImage(i.Id).remove({ force: true }).catch(() => undefined);
  }
  const { Volumes } = await docker.listVolumes({ filters });
  for (const v of Volumes ?? []) await docker.getVolume(v.Name).remove({ force: true }).catch(() => undefined);
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
}

/** Deletes every Redis key under a test's prefix. */
export async function removeKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
}

/**
 * Runs an image's web process with PORT set, published on 127.0.0.1, and returns the body of
 * `GET /`. The container is removed afterwards.
 */
export async function fetchFromImage(docker: Docker, image: string, cluster: string): Promise<string> {
  const container = await docker.createContainer({
    Image: image,
    Env: ['PORT=5000'],
    Labels: { 'paas.cluster': cluster, 'paas.role': 'test' },
    ExposedPorts: { '5000/tcp': {} },
    HostConfig: { PortBindings: { '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  });
  try {
    await container.start();
    const info = await container.inspect();
    const port = info.NetworkSettings.Ports['5000/tcp']?.[0]?.HostPort;
    if (!port) throw new Error('the web port was not published');
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        // docker-proxy accepts connections before the app listens and may hold them: time each try out
        const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
        return await res.text();
      } catch (err) {
        if (Date.now() > deadline) {
          const logs = await container.logs({ stdout: true, stderr: true });
          throw new Error(`the app did not answer: ${String(err)}\n${logs.toString()}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

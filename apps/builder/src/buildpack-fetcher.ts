import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { AppError, buildpackEgressUse, type EgressGuard, type Logger } from '@paas/shared';
import type { GitBuildpack } from './buildpack-plan.js';
import { cachedTarball, downloadTarball, isTarballUrl, tarballArchive } from './tarball-buildpack.js';

export interface BuildpackFetcherOptions {
  /** Host directory of the cached repositories (one bare repository per URL). */
  cacheDir: string;
  /**
   * The egress guard: the URL's scheme and every address its host resolves to are checked before
   * git or curl runs, which then connect to the address checked. file:// URLs reach the builder
   * host's own disk: allowed only when the guard's policy says so.
   */
  guard: EgressGuard;
  /** A fetch taking longer fails (ms). */
  timeoutMs?: number;
  /** Variables git may see besides its own (PATH, proxies): see config.ts. */
  env: Record<string, string>;
  log: Logger;
}

/** A buildpack at one commit, ready to be copied into a build container. */
export interface FetchedBuildpack {
  commit: string;
  /** True when the remote could not be reached and the cached copy is used. */
  stale: boolean;
  /** A tar of the buildpack's tree with its files under `<name>/` (git archive). */
  archive(): Readable;
}

const fullSha = /^[0-9a-f]{40}$/;

/**
 * Buildpacks given by git URL, fetched on the builder host into a cache of bare repositories and
 * reused: each build fetches the ref again (shallow, so only what changed comes), and a build whose
 * remote is unreachable uses the copy it already has. git always runs with argument arrays, only
 * over https (and file when allowed), pinned to the address the egress guard checked, without
 * following redirects; it never asks for credentials and never runs the remote's hooks; the tree
 * reaches the container as a `git archive` stream.
 */
export class BuildpackFetcher {
  /** One fetch at a time per repository, within this process. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly o: BuildpackFetcherOptions) {}

  async fetch(bp: GitBuildpack): Promise<FetchedBuildpack> {
    if (bp.url.startsWith('file://') && !this.o.guard.policy.allowFileUrls) {
      throw new AppError('build_failed', `Buildpack ${bp.url}: file:// URLs are not allowed on this builder (PAAS_BUILDPACK_ALLOW_FILE_URLS)`);
    }
    // Refused by the guard: the build fails, the cache is not used. A name that does not resolve
    // now is not fetched at all (git would resolve it again, unchecked): the cached copy is used.
    let pin: string[] = [];
    let unresolved: Error | undefined;
    try {
      const checked = this.o.guard.parseUrl(bp.url, buildpackEgressUse);
      if (checked.url.protocol === 'https:') {
        const addresses = checked.addresses.length ? checked.addresses : await this.o.guard.checkHost(checked.host, { field: 'buildpack', unresolved: 'allow' });
        const address = addresses[0];
        if (address === undefined) unresolved = new Error(`${checked.host} does not resolve`);
        else pin = ['-c', `http.curloptResolve=${checked.url.hostname.replace(/^\[|\]$/g, '')}:${checked.url.port || 443}:${address.includes(':') ? `[${address}]` : address}`];
      }
    } catch (err) {
      throw new AppError('build_failed', `Buildpack ${describe(bp)}: ${(err as Error).message}`, { details: { step: 'fetch buildpack' } });
    }
    if (isTarballUrl(bp.url)) return this.fetchTarball(bp);
    const repo = join(this.o.cacheDir, `${createHash('sha256').update(bp.url).digest('hex').slice(0, 24)}.git`);
    return this.locked(repo, async () => {
      await this.ensureRepo(repo);
      const refName = `refs/paas/${createHash('sha256').update(bp.ref ?? 'HEAD').digest('hex').slice(0, 16)}`;
      let commit: string;
      let stale = false;
      try {
        if (unresolved) throw unresolved;
        await this.git(repo, [...pin, 'fetch', '--quiet', '--depth', '1', '--no-tags', bp.url, bp.ref ?? 'HEAD'], true);
        commit = (await this.git(repo, ['rev-parse', '--verify', 'FETCH_HEAD^{commit}'])).trim();
        await this.git(repo, ['update-ref', refName, commit]);
      } catch (err) {
        const cached = await this.cachedCommit(repo, bp.ref, refName);
        if (cached === undefined) {
          throw new AppError('build_failed', `Buildpack ${describe(bp)} could not be fetched: ${(err as Error).message}`, {
            details: { step: 'fetch buildpack' },
          });
        }
        this.o.log.warn({ url: bp.url, ref: bp.ref, err }, 'buildpack fetch failed: using the cached copy');
        commit = cached;
        stale = true;
      }
      return {
        commit,
        stale,
        archive: () => this.archive(repo, commit, bp.name),
      };
    });
  }

  /** A buildpack tarball (`.tgz`, `.tar.gz`, `.tar`), downloaded again for each build like Heroku does. */
  private async fetchTarball(bp: GitBuildpack): Promise<FetchedBuildpack> {
    if (bp.ref !== undefined) throw new AppError('build_failed', `Buildpack ${describe(bp)}: a tarball URL takes no #ref`);
    const cacheDir = join(this.o.cacheDir, 'tarballs');
    return this.locked(bp.url, async () => {
      const timeoutMs = this.o.timeoutMs ?? 120_000;
      let stale = false;
      let download;
      try {
        download = await downloadTarball(bp.url, { cacheDir, guard: this.o.guard, timeoutMs, env: this.o.env });
      } catch (err) {
        download = await cachedTarball(bp.url, cacheDir).catch(() => undefined);
        if (download === undefined) {
          throw new AppError('build_failed', `Buildpack ${describe(bp)} could not be fetched: ${(err as Error).message}`, {
            details: { step: 'fetch buildpack' },
          });
        }
        this.o.log.warn({ url: bp.url, err }, 'buildpack download failed: using the cached copy');
        stale = true;
      }
      const d = download;
      return { commit: `sha256:${d.sha256}`, stale, archive: () => tarballArchive(d, bp.name) };
    });
  }

  private async ensureRepo(repo: string): Promise<void> {
    const exists = await stat(join(repo, 'HEAD')).then(
      () => true,
      () => false,
    );
    if (exists) return;
    await mkdir(repo, { recursive: true });
    await this.git(repo, ['init', '--quiet', '--bare']);
  }

  /** The commit the cache holds for a ref: a commit named by its full id, or the ref's last fetch. */
  private async cachedCommit(repo: string, ref: string | undefined, refName: string): Promise<string | undefined> {
    const names = ref !== undefined && fullSha.test(ref) ? [`${ref}^{commit}`, refName] : [refName];
    for (const name of names) {
      try {
        return (await this.git(repo, ['rev-parse', '--verify', '--quiet', name])).trim();
      } catch {
        // not cached
      }
    }
    return undefined;
  }

  private archive(repo: string, commit: string, name: string): Readable {
    const child = spawn('git', ['-C', repo, 'archive', '--format=tar', `--prefix=${name}/`, commit], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: this.env(),
    });
    // A pipe of its own, read at once: a child's stdout that ends before it is read loses its data
    // when it is consumed later (the build copies it after the source).
    const out = child.stdout.pipe(new PassThrough());
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (err) => out.destroy(new Error(`git archive of ${commit} could not start: ${err.message}`)));
    child.on('close', (code) => {
      if (code !== 0) out.destroy(new Error(`git archive of ${commit} failed: ${stderr.trim() || `exit code ${code}`}`));
    });
    return out;
  }

  private git(repo: string, args: string[], network = false): Promise<string> {
    // https only (file when allowed); redirects refused: a redirect would skip the egress guard.
    const protocols = ['-c', 'protocol.allow=never', '-c', 'protocol.https.allow=always', '-c', 'http.followRedirects=false'];
    if (this.o.guard.policy.allowFileUrls) protocols.push('-c', 'protocol.file.allow=always');
    const argv = ['-C', repo, ...(network ? protocols : []), ...args];
    return new Promise((resolve, reject) => {
      execFile('git', argv, { env: this.env(), timeout: this.o.timeoutMs ?? 120_000, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const lines = stderr.trim().split('\n').filter((l) => l.trim() !== '');
        const reason = (err as { killed?: boolean }).killed ? 'timed out' : (lines.at(-1) ?? err.message).replace(/^fatal: /, '');
        reject(new Error(reason));
      });
    });
  }

  /** git's environment: no prompts, no system or user configuration, no credential helpers. */
  private env(): Record<string, string> {
    return { ...this.o.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: this.o.cacheDir, GIT_ASKPASS: 'true' };
  }

  private async locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.locks.set(key, next);
    try {
      return await next;
    } finally {
      if (this.locks.get(key) === next) this.locks.delete(key);
    }
  }
}

function describe(bp: GitBuildpack): string {
  return `${bp.url}${bp.ref === undefined ? '' : `#${bp.ref}`}`;
}

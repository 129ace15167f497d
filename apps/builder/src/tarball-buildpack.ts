import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import { fetchGuarded, type EgressGuard, type FetchHop } from '@paas/shared';

/** A buildpack URL that names a tarball (Heroku's buildpack registry serves `.tgz`), not a git repository. */
export function isTarballUrl(url: string): boolean {
  const path = url.replace(/[?#].*$/, '');
  return /\.(tgz|tar\.gz|tar)$/i.test(path);
}

export interface TarballDownload {
  /** Where the tarball is kept between builds, the digest of its bytes, and the directory its files sit under. */
  file: string;
  sha256: string;
  strip: string;
}

export interface TarballOptions {
  cacheDir: string;
  /** Checks the URL and every redirect (file: only when its policy allows it). */
  guard: EgressGuard;
  timeoutMs: number;
  env: Record<string, string>;
}

export { fetchGuarded, type FetchHop, type FetchOnce } from '@paas/shared';

/**
 * Downloads a buildpack tarball (gzipped or not) with curl, which honours the proxy variables, over
 * https or http only (file:// when allowed), into the cache, replacing the copy of an earlier build
 * only once the new one is whole and reads as a tar. Nothing is extracted on the builder host: the
 * entries are moved under the buildpack's name as they stream into the build container, whose engine
 * does the extracting. A tarball whose files all sit under one top directory (a GitHub archive, say)
 * has it stripped when that directory holds bin/.
 */
export async function downloadTarball(url: string, o: TarballOptions): Promise<TarballDownload> {
  const base = cacheBase(o.cacheDir, url);
  await mkdir(o.cacheDir, { recursive: true });
  const part = `${base}.part`;
  const protocols = o.guard.policy.allowFileUrls ? '=https,file' : '=https';
  try {
    await fetchGuarded(url, o.guard, (hopUrl, pinned) =>
      new Promise<FetchHop>((resolve, reject) => {
        // No --location: redirects come back here and are checked like the first URL. --resolve pins
        // the host to the address just checked.
        const pin = pinned ? ['--resolve', `${pinned.host.replace(/^\[|\]$/g, '')}:${pinned.port}:${pinned.address.includes(':') ? `[${pinned.address}]` : pinned.address}`] : [];
        execFile(
          'curl',
          ['--silent', '--show-error', '--proto', protocols, ...pin, '--max-time', String(Math.ceil(o.timeoutMs / 1000)), '--max-filesize', String(512 * 1024 * 1024), '--output', part, '--write-out', '%{http_code} %{redirect_url}', hopUrl],
          { env: o.env, timeout: o.timeoutMs + 5000 },
          (err, stdout, stderr) => {
            if (err) {
              const reason = stderr.trim().split('\n').pop()?.replace(/^curl: \(\d+\) /, '') || err.message;
              return reject(new Error(reason));
            }
            const [code, ...rest] = stdout.trim().split(' ');
            resolve({ status: Number(code), location: rest.join(' ') || undefined });
          },
        );
      }),
    );
    const listing = await listTarball(part);
    await rename(part, `${base}.tar`);
    return { file: `${base}.tar`, ...listing };
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  }
}

/** The copy an earlier build downloaded, if there is one. */
export async function cachedTarball(url: string, cacheDir: string): Promise<TarballDownload | undefined> {
  const file = `${cacheBase(cacheDir, url)}.tar`;
  const exists = await stat(file).then(
    () => true,
    () => false,
  );
  return exists ? { file, ...(await listTarball(file)) } : undefined;
}

/** Reads the tarball through: its digest, and the top directory to strip (or '' for none). */
async function listTarball(file: string): Promise<{ sha256: string; strip: string }> {
  const hash = createHash('sha256');
  const tops = new Set<string>();
  let hasRootBin = false;
  let topFile = false;
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const name = normalise(header.name);
    if (name !== '') {
      const [top, second] = name.split('/');
      tops.add(top!);
      if (top === 'bin') hasRootBin = true;
      if (second === undefined && header.type !== 'directory') topFile = true;
    }
    stream.on('end', next);
    stream.resume();
  });
  try {
    const gunzip = await maybeGunzip(file);
    const source = createReadStream(file);
    source.on('data', (c) => hash.update(c));
    await pipeline(source, gunzip, ex);
  } catch (err) {
    throw new Error(`it is not a tar archive (${(err as Error).message})`);
  }
  if (tops.size === 0) throw new Error('the archive is empty');
  const only = [...tops];
  const strip = !hasRootBin && !topFile && only.length === 1 ? only[0]! : '';
  return { sha256: hash.digest('hex'), strip };
}

/** The tarball's entries under `<name>/`, its top directory stripped when it has one. */
export function tarballArchive(d: TarballDownload, name: string): Readable {
  const out = pack();
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    let path = normalise(header.name);
    if (d.strip !== '') path = path === d.strip ? '' : path.startsWith(`${d.strip}/`) ? path.slice(d.strip.length + 1) : '\0';
    // Only plain files, directories and symlinks; nothing outside the buildpack's directory.
    const kept = path !== '\0' && ['file', 'directory', 'symlink'].includes(header.type ?? '') && !path.split('/').includes('..');
    if (!kept) {
      stream.on('end', next);
      stream.resume();
      return;
    }
    const entry = out.entry({ ...header, name: posix.join(name, path), uid: 0, gid: 0, uname: '', gname: '' }, (err) => next(err ?? undefined));
    stream.pipe(entry);
  });
  ex.on('finish', () => out.finalize());
  const result = new PassThrough();
  out.pipe(result);
  void (async () => {
    try {
      await pipeline(createReadStream(d.file), await maybeGunzip(d.file), ex);
    } catch (err) {
      result.destroy(err as Error);
    }
  })();
  return result;
}

/** Where a URL's tarball is kept: `<base>.tar`, downloaded to `<base>.part` first. */
function cacheBase(cacheDir: string, url: string): string {
  return join(cacheDir, createHash('sha256').update(url).digest('hex').slice(0, 24));
}

function normalise(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '');
}

/** A gunzip stream for a gzipped file, a pass-through otherwise. */
async function maybeGunzip(file: string): Promise<NodeJS.ReadWriteStream> {
  const head = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    createReadStream(file, { start: 0, end: 1 })
      .on('data', (c) => chunks.push(c as Buffer))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
  return head[0] === 0x1f && head[1] === 0x8b ? createGunzip() : new PassThrough();
}

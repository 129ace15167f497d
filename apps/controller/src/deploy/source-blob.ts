import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import https from 'node:https';
import { posix } from 'node:path';
import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tls from 'node:tls';
import { createGunzip } from 'node:zlib';
import { extract, pack, type ExtractEvents, type Header } from 'tar-stream';
import { AppError, fetchGuarded, type EgressGuard, type EgressUse, type FetchHop } from '@paas/shared';

export const sourceUrlRule = 'source URLs are https:// addresses of a gzipped tar (a GitHub archive, say), with no credentials in them';

/** What the egress guard accepts for a build's source_blob.url (the guard of drains, buildpack URLs and webhooks). */
export const sourceEgressUse: EgressUse = { field: 'source_blob.url', schemes: ['https:'], rule: sourceUrlRule };

export interface SourceFetchOptions {
  guard: EgressGuard;
  /** Extra CA certificates trusted besides the system's (a private CA; tests). */
  ca?: Buffer | undefined;
  /** The whole download (every redirect included) ends by then (ms). */
  timeoutMs: number;
  /** Bytes downloaded at most. */
  maxBytes: number;
}

const sha256Checksum = /^SHA256:([0-9a-f]{64})$/i;

/** `SHA256:<hex>` (Heroku's form), lower-cased hex; refuses anything else with invalid_params. */
export function parseChecksum(checksum: string): string {
  const m = sha256Checksum.exec(checksum.trim());
  if (!m) throw new AppError('invalid_params', 'source_blob.checksum: must be SHA256:<64 hex digits>');
  return m[1]!.toLowerCase();
}

/**
 * Downloads a source tarball into `file`: every URL of the redirect chain checked by the egress guard
 * (and again at connect time), at most `maxBytes`, within `timeoutMs` in all. Answers the bytes'
 * SHA-256 (hex). Rejects with a message for the build's output; `file` is removed then.
 */
export async function downloadSource(url: string, file: string, o: SourceFetchOptions): Promise<string> {
  const deadline = Date.now() + o.timeoutMs;
  let digest = '';
  try {
    await fetchGuarded(
      url,
      o.guard,
      (hopUrl) =>
        new Promise<FetchHop>((resolve, reject) => {
          const left = deadline - Date.now();
          if (left <= 0) return reject(new Error(`the download took longer than ${Math.round(o.timeoutMs / 1000)} s`));
          const req = https.get(hopUrl, { lookup: o.guard.lookup, agent: false, ca: o.ca ? [...tls.rootCertificates, o.ca.toString('utf8')] : undefined }, (res) => {
            const status = res.statusCode ?? 0;
            if (status >= 300 && status < 400) {
              res.destroy();
              clearTimeout(timer);
              return resolve({ status, location: res.headers.location });
            }
            if (status !== 200) {
              res.destroy();
              clearTimeout(timer);
              return reject(new Error(`the server answered HTTP ${status}`));
            }
            const hash = createHash('sha256');
            let seen = 0;
            const limit = new Transform({
              transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
                seen += chunk.length;
                if (seen > o.maxBytes) return done(new Error(`it is larger than ${Math.round(o.maxBytes / 1024 / 1024)} MB`));
                hash.update(chunk);
                done(null, chunk);
              },
            });
            pipeline(res, limit, createWriteStream(file, { mode: 0o600 })).then(
              () => {
                clearTimeout(timer);
                digest = hash.digest('hex');
                resolve({ status, location: undefined });
              },
              (err: Error) => {
                clearTimeout(timer);
                reject(err);
              },
            );
          });
          const timer = setTimeout(() => req.destroy(new Error(`the download took longer than ${Math.round(o.timeoutMs / 1000)} s`)), left);
          req.on('error', (err) => {
            clearTimeout(timer);
            reject(err);
          });
        }),
      sourceEgressUse,
    );
    return digest;
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
}

/** What a source tarball may hold at most once unpacked. */
export interface TreeLimits {
  bytes: number;
  entries: number;
}

function normalise(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

/** Why an entry may not be part of a source tree, or undefined. */
function refusal(name: string, type: string | null | undefined, linkname: string | null | undefined): string | undefined {
  if (name.startsWith('/')) return `an absolute path (${name.slice(0, 100)})`;
  if (name.split('/').includes('..')) return `a path outside the archive (${name.slice(0, 100)})`;
  if (type === 'symlink' && linkname) {
    if (linkname.startsWith('/')) return `a symbolic link to an absolute path (${name.slice(0, 100)} -> ${linkname.slice(0, 100)})`;
    const target = posix.normalize(posix.join(posix.dirname(name), linkname));
    if (target === '..' || target.startsWith('../')) return `a symbolic link out of the archive (${name.slice(0, 100)} -> ${linkname.slice(0, 100)})`;
  }
  if (type === 'link' && linkname && (linkname.startsWith('/') || linkname.split('/').includes('..'))) return `a hard link out of the archive (${name.slice(0, 100)})`;
  return undefined;
}

/** Reads the tarball (gzipped or not) through once: each entry is handed to `onEntry`, the whole unpacked size bounded. */
async function readTar(file: string, limits: TreeLimits, onEntry: (header: Header, body: ExtractEvents['entry'][1], next: ExtractEvents['entry'][2]) => void): Promise<void> {
  const head = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    createReadStream(file, { start: 0, end: 1 })
      .on('data', (c) => chunks.push(c as Buffer))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
  let unpacked = 0;
  let entries = 0;
  const bound = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      unpacked += chunk.length;
      if (unpacked > limits.bytes) return done(new AppError('payload_too_large', `the source is larger than ${Math.round(limits.bytes / 1024 / 1024)} MB once unpacked (PAAS_MAX_PUSH_MB)`));
      done(null, chunk);
    },
  });
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    // An entry's stream is destroyed with the archive when reading stops (a refusal, a size limit): the pipeline reports why.
    stream.on('error', () => undefined);
    if (++entries > limits.entries) return ex.destroy(new AppError('payload_too_large', `the source holds more than ${limits.entries} files`));
    try {
      onEntry(header, stream, next);
    } catch (err) {
      ex.destroy(err as Error);
    }
  });
  try {
    await pipeline(createReadStream(file), head[0] === 0x1f && head[1] === 0x8b ? createGunzip() : new PassThrough(), bound, ex);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('invalid_params', `the source is not a gzipped tar archive (${(err as Error).message})`);
  }
}

/**
 * Turns a downloaded or uploaded source tarball into the tree a build takes (a plain tar whose paths
 * are relative to the app's root, like `git archive` of a push): a single top directory is stripped
 * (GitHub's archives have one); entries with absolute paths, `..`, or links out of the tree refuse
 * the whole source; only files, directories and symbolic links are kept; the unpacked size and the
 * number of entries are bounded (a small gzip that unpacks to gigabytes is refused as it unpacks).
 */
export async function writeSourceTree(file: string, dest: string, limits: TreeLimits): Promise<void> {
  const tops = new Set<string>();
  let topFile = false;
  let any = false;
  await readTar(file, limits, (header, stream, next) => {
    const name = normalise(header.name);
    const why = refusal(name, header.type, header.linkname);
    if (why) {
      stream.resume();
      throw new AppError('invalid_params', `the source holds ${why}: refused`);
    }
    if (name !== '' && name !== '.') {
      any = true;
      const [top, second] = name.split('/');
      tops.add(top!);
      if (second === undefined && header.type !== 'directory') topFile = true;
    }
    stream.on('end', next);
    stream.resume();
  });
  if (!any) throw new AppError('invalid_params', 'the source archive is empty');
  const strip = !topFile && tops.size === 1 ? [...tops][0]! : '';
  const out = pack();
  const written = pipeline(out, createWriteStream(dest, { mode: 0o600 }));
  try {
    await readTar(file, limits, (header, stream, next) => {
      let name = normalise(header.name);
      if (strip !== '') name = name === strip ? '' : name.slice(strip.length + 1);
      if (name === '' || name === '.' || !['file', 'directory', 'symlink'].includes(header.type ?? 'file')) {
        stream.on('end', next);
        stream.resume();
        return;
      }
      const entry = out.entry({ name, type: header.type, mode: (header.mode ?? 0o644) & 0o777, size: header.size, linkname: header.linkname, mtime: header.mtime }, (err) => next(err ?? undefined));
      stream.pipe(entry);
    });
    out.finalize();
    await written;
  } catch (err) {
    out.destroy();
    await written.catch(() => undefined);
    await rm(dest, { force: true });
    throw err;
  }
}

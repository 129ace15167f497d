import { extract } from 'tar-stream';
import type { Readable } from 'node:stream';
import { parseDebianCopyright, parseDpkgStatus, parseOsRelease, type DpkgPackage } from './dpkg-status.js';
import { BuildInfoScanner, isElf, type GoBuildInfo } from './go-buildinfo.js';
import { parseNodeVersionHeader, parsePackageJson, parsePackageLock, parsePnpmLock, parseYarnLock, type NpmPackage } from './npm-packages.js';
import { parsePythonMetadata, type PythonPackage } from './python-metadata.js';

/** What one file of a layer says about the image's packages. */
export type FoundFile =
  | { kind: 'dpkg'; packages: DpkgPackage[] }
  | { kind: 'copyright'; licenses: string[] }
  | { kind: 'os-release'; os: { id: string; versionId?: string; codename?: string } }
  | { kind: 'npm-package'; pkg: NpmPackage }
  | { kind: 'npm-lock'; packages: NpmPackage[] }
  | { kind: 'python'; pkg: PythonPackage }
  | { kind: 'node-runtime'; version: string }
  | { kind: 'node-versions'; binaries: { path: string; version: string }[] }
  | { kind: 'go'; info: GoBuildInfo };

/** What one layer holds: the files found (by path, no leading slash) and what it deletes from the layers below. */
export interface LayerFindings {
  files: Map<string, FoundFile>;
  /** Paths removed (`.wh.<name>` entries). */
  whiteouts: string[];
  /** Directories whose lower content is hidden (`.wh..wh..opq`). */
  opaque: string[];
}

type Parser = { max: number; parse: (text: string, path: string) => FoundFile | undefined };

const lockParsers: Record<string, (t: string) => NpmPackage[]> = {
  'package-lock.json': parsePackageLock,
  'npm-shrinkwrap.json': parsePackageLock,
  'yarn.lock': parseYarnLock,
  'pnpm-lock.yaml': parsePnpmLock,
};

/** Which parser reads a path (relative to the image's root), if any. */
export function parserFor(path: string): Parser | undefined {
  if (path === 'var/lib/dpkg/status') return { max: 64 << 20, parse: (t) => ({ kind: 'dpkg', packages: parseDpkgStatus(t) }) };
  if (/^var\/lib\/dpkg\/status\.d\/[^/]+$/.test(path) && !path.endsWith('.md5sums')) {
    return { max: 1 << 20, parse: (t) => ({ kind: 'dpkg', packages: parseDpkgStatus(t, false) }) };
  }
  if (/^usr\/share\/doc\/[^/]+\/copyright$/.test(path)) return { max: 1 << 20, parse: (t) => ({ kind: 'copyright', licenses: parseDebianCopyright(t) }) };
  if (path === 'etc/os-release' || path === 'usr/lib/os-release') {
    return { max: 64 << 10, parse: (t) => { const os = parseOsRelease(t); return os && { kind: 'os-release', os }; } };
  }
  if (/(^|\/)node_modules\/(@[^/]+\/)?[^/@.][^/]*\/package\.json$/.test(path)) {
    return { max: 4 << 20, parse: (t) => { const pkg = parsePackageJson(t); return pkg && { kind: 'npm-package', pkg }; } };
  }
  const base = path.slice(path.lastIndexOf('/') + 1);
  const lock = lockParsers[base];
  if (lock && !/(^|\/)node_modules\//.test(path)) return { max: 64 << 20, parse: (t) => ({ kind: 'npm-lock', packages: lock(t) }) };
  if (/(^|\/)(site|dist)-packages\/[^/]+\.dist-info\/METADATA$/.test(path)) {
    return { max: 8 << 20, parse: (t) => { const pkg = parsePythonMetadata(t); return pkg && { kind: 'python', pkg }; } };
  }
  if (path === nodeVersionsPath) return { max: 64 << 10, parse: (t) => ({ kind: 'node-versions', binaries: parseNodeVersions(t) }) };
  if (/(^|\/)include\/node\/node_version\.h$/.test(path)) {
    return { max: 1 << 20, parse: (t) => { const version = parseNodeVersionHeader(t); return version ? { kind: 'node-runtime', version } : undefined; } };
  }
  return undefined;
}

/** Where the build container's inventory script lists the Node.js binaries of /app and their `--version`. */
export const nodeVersionsPath = 'tmp/paas-inventory-node-versions';

/** `app/.heroku/node/bin/node v22.1.0` lines. */
export function parseNodeVersions(text: string): { path: string; version: string }[] {
  return text.split('\n').flatMap((line) => {
    const m = /^(\S+) v(\d+\.\d+\.\d+)$/.exec(line.trim());
    return m ? [{ path: m[1]!, version: m[2]! }] : [];
  });
}

/** Files one layer's findings keep at most: an image of a million tiny package.json files is bounded. */
export const maxFilesPerLayer = 200_000;

/** Executables smaller than this are not Go programs worth reading. */
const minGoBinary = 64 << 10;

/**
 * Reads one layer's tar stream once: the package databases and manifests it holds, the Go build
 * info of its executables, and its whiteouts. Nothing is written to disk; files are read only when
 * their path says they matter (or, for executables, until the build info is found).
 */
export async function scanLayer(tar: Readable): Promise<LayerFindings> {
  const found: LayerFindings = { files: new Map(), whiteouts: [], opaque: [] };
  const ex = extract();
  tar.on('error', (err) => ex.destroy(err));
  tar.pipe(ex);
  for await (const entry of ex) {
    const h = entry.header;
    const path = h.name.replace(/^(\.\/|\/)+/, '').replace(/\/$/, '');
    const slash = path.lastIndexOf('/');
    const base = path.slice(slash + 1);
    const dir = slash < 0 ? '' : path.slice(0, slash);
    if (base === '.wh..wh..opq') found.opaque.push(dir);
    else if (base.startsWith('.wh.')) found.whiteouts.push(`${dir ? `${dir}/` : ''}${base.slice(4)}`);
    if ((h.type !== 'file' && h.type !== 'contiguous-file') || found.files.size >= maxFilesPerLayer) {
      entry.resume();
      continue;
    }
    const parser = parserFor(path);
    if (parser) {
      const text = await readBounded(entry as unknown as AsyncIterable<Buffer>, parser.max);
      const file = text === undefined ? undefined : safeParse(parser, text, path);
      if (file) found.files.set(path, file);
      continue;
    }
    if ((h.mode ?? 0) & 0o111 && (h.size ?? 0) >= minGoBinary) {
      const info = await scanExecutable(entry as unknown as AsyncIterable<Buffer>);
      if (info) found.files.set(path, { kind: 'go', info });
      continue;
    }
    entry.resume();
  }
  return found;
}

function safeParse(parser: Parser, text: string, path: string): FoundFile | undefined {
  try {
    return parser.parse(text, path);
  } catch {
    return undefined;
  }
}

/** The entry's text, or undefined (drained) when it is larger than `max`. */
async function readBounded(entry: AsyncIterable<Buffer>, max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of entry) {
    bytes += chunk.length;
    if (bytes <= max) chunks.push(chunk);
  }
  return bytes <= max ? Buffer.concat(chunks).toString('utf8') : undefined;
}

/** An ELF executable's Go build info, read while the entry streams past. */
async function scanExecutable(entry: AsyncIterable<Buffer>): Promise<GoBuildInfo | undefined> {
  let first = true;
  let elf = false;
  let scanning = true;
  const scanner = new BuildInfoScanner();
  for await (const chunk of entry) {
    if (first) {
      first = false;
      elf = isElf(chunk);
    }
    if (elf && scanning) scanning = scanner.push(chunk);
  }
  return elf ? scanner.found : undefined;
}

/**
 * Go's build information, as `go version -m` prints it, read from a Go binary's `.go.buildinfo`
 * data: a 32-byte header starting with the magic `\xff Go buildinf:` (16-byte aligned), then, since
 * Go 1.18 (flag bit 2), the Go version and the module information as two varint-prefixed strings.
 * Binaries of Go before 1.18 hold pointers instead; those are not read.
 */
export const buildInfoMagic = Buffer.from('\xff Go buildinf:', 'latin1');
const headerSize = 32;

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: GoModule;
}

export interface GoBuildInfo {
  goVersion: string;
  /** The main package's import path. */
  path?: string;
  main?: GoModule;
  deps: GoModule[];
  settings: Record<string, string>;
}

/** The Go version and raw module info in `data`, which starts at the magic. Undefined when unreadable. */
export function readBuildInfoBlob(data: Buffer): { goVersion: string; modinfo: string } | undefined {
  if (data.length < headerSize || !data.subarray(0, buildInfoMagic.length).equals(buildInfoMagic)) return undefined;
  const flags = data[15]!;
  if ((flags & 2) === 0) return undefined;
  let pos = headerSize;
  const readString = (): string | undefined => {
    let len = 0;
    let shift = 0;
    for (;;) {
      if (pos >= data.length || shift > 28) return undefined;
      const b = data[pos++]!;
      len |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    if (len < 0 || pos + len > data.length) return undefined;
    const s = data.subarray(pos, pos + len).toString('utf8');
    pos += len;
    return s;
  };
  const goVersion = readString();
  const raw = readString();
  if (goVersion === undefined || raw === undefined || !goVersion.startsWith('go')) return undefined;
  // The module info is framed by two 16-byte sentinels.
  const modinfo = raw.length >= 33 && raw[raw.length - 17] === '\n' ? raw.slice(16, -16) : raw;
  return { goVersion, modinfo };
}

/** Parses the module info text (`path`, `mod`, `dep`, `=>`, `build` lines, tab-separated). */
export function parseModInfo(goVersion: string, modinfo: string): GoBuildInfo {
  const info: GoBuildInfo = { goVersion, deps: [], settings: {} };
  let last: GoModule | undefined;
  for (const line of modinfo.split('\n')) {
    const f = line.split('\t');
    const mod = (): GoModule | undefined =>
      f[1] && f[2] ? { path: f[1], version: f[2], ...(f[3] ? { sum: f[3] } : {}) } : f[1] ? { path: f[1], version: '(devel)' } : undefined;
    switch (f[0]) {
      case 'path':
        if (f[1]) info.path = f[1];
        break;
      case 'mod':
        last = mod();
        if (last) info.main = last;
        break;
      case 'dep':
        last = mod();
        if (last) info.deps.push(last);
        break;
      case '=>': {
        const r = mod();
        if (r && last) last.replace = r;
        break;
      }
      case 'build': {
        const eq = (f[1] ?? '').indexOf('=');
        if (eq > 0) info.settings[f[1]!.slice(0, eq)] = f[1]!.slice(eq + 1);
        break;
      }
    }
  }
  return info;
}

/** Whether the bytes start an ELF file. */
export function isElf(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

/**
 * Scans a stream of a file's chunks for the build info magic at a 16-byte aligned offset and keeps
 * up to `keep` bytes from there. Feed chunks in order; `found` holds the blob once complete.
 */
export class BuildInfoScanner {
  private offset = 0;
  private tail: Buffer = Buffer.alloc(0);
  private blob: Buffer[] | undefined;
  private blobBytes = 0;

  constructor(private readonly keep = 64 * 1024) {}

  /** False once the blob is complete: the rest of the file need not be scanned. */
  push(chunk: Buffer): boolean {
    if (this.blob) return this.collect(chunk);
    const data = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
    const base = this.offset - this.tail.length;
    let from = 0;
    for (;;) {
      const at = data.indexOf(buildInfoMagic, from);
      if (at < 0) break;
      if ((base + at) % 16 === 0) {
        this.blob = [];
        this.offset += chunk.length;
        return this.collect(data.subarray(at));
      }
      from = at + 1;
    }
    this.offset += chunk.length;
    this.tail = data.subarray(Math.max(0, data.length - (buildInfoMagic.length - 1)));
    return true;
  }

  private collect(chunk: Buffer): boolean {
    const room = this.keep - this.blobBytes;
    this.blob!.push(room < chunk.length ? chunk.subarray(0, room) : chunk);
    this.blobBytes += Math.min(room, chunk.length);
    return this.blobBytes < this.keep;
  }

  get found(): GoBuildInfo | undefined {
    if (!this.blob) return undefined;
    const read = readBuildInfoBlob(Buffer.concat(this.blob));
    return read && parseModInfo(read.goVersion, read.modinfo);
  }
}

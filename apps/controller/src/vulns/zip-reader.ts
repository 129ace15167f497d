import { inflateRawSync } from 'node:zlib';
import { AppError } from '@paas/shared';

export interface ZipLimits {
  /** Entries read at most. */
  maxEntries: number;
  /** Bytes one entry may inflate to. */
  maxEntryBytes: number;
  /** Bytes all entries together may inflate to. */
  maxTotalBytes: number;
}

export interface ZipEntry {
  name: string;
  /** Reads (inflates) the entry, within the limits. */
  read(): Buffer;
}

const tooBig = (what: string): AppError => new AppError('payload_too_large', `the archive ${what}`);
const bad = (what: string): AppError => new AppError('invalid_params', `not a zip archive paas reads: ${what}`);

/**
 * The entries of a zip archive held in memory, read from its central directory. Stored and deflated
 * entries only (no Zip64, no encryption). Every size is checked before and while inflating: an entry
 * that inflates past its own limit or the archive's total (a zip bomb) is refused with a 413, never
 * inflated further.
 */
export function readZip(buf: Buffer, limits: ZipLimits): ZipEntry[] {
  // The end of central directory record: within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad('no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw bad('Zip64 archives are not read');
  if (count > limits.maxEntries) throw tooBig(`has ${count} entries (at most ${limits.maxEntries})`);
  if (cdOffset + cdSize > eocd) throw bad('the central directory lies outside the archive');
  const entries: ZipEntry[] = [];
  let total = 0;
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > eocd || buf.readUInt32LE(p) !== 0x02014b50) throw bad('a broken central directory');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    if (flags & 1) throw bad(`${name} is encrypted`);
    if (method !== 0 && method !== 8) throw bad(`${name} uses compression method ${method}`);
    if (size > limits.maxEntryBytes) throw tooBig(`entry ${name} inflates to ${size} bytes (at most ${limits.maxEntryBytes})`);
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) throw bad(`${name} has no local header`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + compressed > buf.length) throw bad(`${name} runs past the end of the archive`);
    entries.push({
      name,
      read: () => {
        const data = buf.subarray(start, start + compressed);
        let out: Buffer;
        if (method === 0) out = data;
        else {
          try {
            // maxOutputLength stops a bomb whose header lies about its size.
            out = inflateRawSync(data, { maxOutputLength: Math.min(limits.maxEntryBytes, limits.maxTotalBytes - total) + 1 });
          } catch (err) {
            if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooBig(`entry ${name} inflates past the limits`);
            throw bad(`${name} does not inflate: ${(err as Error).message}`);
          }
        }
        if (out.length > limits.maxEntryBytes) throw tooBig(`entry ${name} inflates past ${limits.maxEntryBytes} bytes`);
        total += out.length;
        if (total > limits.maxTotalBytes) throw tooBig(`inflates past ${limits.maxTotalBytes} bytes in all`);
        return out;
      },
    });
  }
  return entries;
}

import { AppError } from '@paas/shared';
import { parseDebianTracker, parseOsvRecord, isDebianTracker, type Advisory } from './advisory-records.js';
import { readZip, type ZipLimits } from './zip-reader.js';

export interface VulnDbLimits {
  /** Bytes of one OSV record (a zip entry or an array element's source). */
  maxRecordBytes: number;
  /** Advisories in one import. */
  maxAdvisories: number;
  zip: ZipLimits;
}

export const defaultVulnDbLimits: VulnDbLimits = {
  maxRecordBytes: 4 << 20,
  maxAdvisories: 1_000_000,
  zip: { maxEntries: 1_000_000, maxEntryBytes: 4 << 20, maxTotalBytes: 2 * 1024 ** 3 },
};

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('invalid_params', `${what} is not JSON: ${(err as Error).message.slice(0, 200)}`);
  }
}

/**
 * The advisories of an uploaded database: a zip of OSV records (one JSON file each, as OSV's
 * per-ecosystem `all.zip`), a JSON array of OSV records, one OSV record, or the Debian security
 * tracker's JSON. Every bound is checked as it is read; the first bad record refuses the whole
 * import (nothing is stored).
 */
export function parseVulnDb(buf: Buffer, limits: VulnDbLimits = defaultVulnDbLimits): { format: 'osv-zip' | 'osv-json' | 'debian-tracker'; advisories: Advisory[] } {
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0x04034b50) {
    const advisories: Advisory[] = [];
    for (const entry of readZip(buf, limits.zip)) {
      if (!entry.name.endsWith('.json')) continue;
      const data = entry.read();
      if (data.length > limits.maxRecordBytes) throw new AppError('payload_too_large', `${entry.name} is larger than ${limits.maxRecordBytes} bytes`);
      const doc = parseJson(data.toString('utf8'), entry.name);
      for (const r of Array.isArray(doc) ? doc : [doc]) {
        advisories.push(parseOsvRecord(r));
        if (advisories.length > limits.maxAdvisories) throw new AppError('payload_too_large', `more than ${limits.maxAdvisories} advisories`);
      }
    }
    return { format: 'osv-zip', advisories };
  }
  const doc = parseJson(buf.toString('utf8'), 'the database');
  if (Array.isArray(doc)) {
    if (doc.length > limits.maxAdvisories) throw new AppError('payload_too_large', `more than ${limits.maxAdvisories} advisories`);
    return { format: 'osv-json', advisories: doc.map(parseOsvRecord) };
  }
  if (doc && typeof doc === 'object' && 'id' in doc) return { format: 'osv-json', advisories: [parseOsvRecord(doc)] };
  if (isDebianTracker(doc)) {
    const advisories = parseDebianTracker(doc as Record<string, unknown>);
    if (advisories.length > limits.maxAdvisories) throw new AppError('payload_too_large', `more than ${limits.maxAdvisories} advisories`);
    return { format: 'debian-tracker', advisories };
  }
  throw new AppError('invalid_params', 'the database is neither OSV records (a zip, an array or one record) nor the Debian security tracker\'s JSON');
}

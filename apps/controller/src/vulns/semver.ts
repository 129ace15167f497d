import { cachedParser } from './parse-cache.js';
/**
 * Semantic Versioning 2.0.0 precedence (npm's versions; Go's, see go-version.ts): major, minor,
 * patch as numbers; a pre-release sorts before its release, its dot-separated identifiers compared
 * numerically when numeric (and before alphanumeric ones), else in ASCII order; build metadata
 * (`+…`) is ignored.
 */
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  pre: string[];
}

const semverRe = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export function parseSemver(v: string): SemVer | undefined {
  const m = semverRe.exec(v.trim());
  if (!m) return undefined;
  const nums = [m[1], m[2], m[3]].map(Number);
  if (nums.some((n) => !Number.isSafeInteger(n))) return undefined;
  return { major: nums[0]!, minor: nums[1]!, patch: nums[2]!, pre: m[4] ? m[4].split('.') : [] };
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) {
    if (a.length !== b.length) return a.length < b.length ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareSemverParsed(x: SemVer, y: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (x[k] !== y[k]) return x[k] < y[k] ? -1 : 1;
  if (x.pre.length === 0 || y.pre.length === 0) return x.pre.length === y.pre.length ? 0 : x.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    if (i >= x.pre.length) return -1;
    if (i >= y.pre.length) return 1;
    const c = compareIdentifiers(x.pre[i]!, y.pre[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

const parseCached = cachedParser(parseSemver);

export function compareSemver(a: string, b: string): number | undefined {
  const x = parseCached(a);
  const y = parseCached(b);
  return x && y ? compareSemverParsed(x, y) : undefined;
}

import type { VersionCompare } from './version-order.js';

/** One OSV range: `events` of `introduced`, `fixed`, `last_affected` (and `limit`) versions. */
export interface OsvRange {
  type: string;
  events: Record<string, string>[];
}

export interface AffectedEntry {
  ranges: OsvRange[];
  /** Versions named one by one. */
  versions: string[];
}

export interface Verdict {
  affected: boolean;
  /** The first fixed version after the one installed, when the advisory names one. */
  fixed?: string;
}

/**
 * Whether `version` is affected, by OSV's rules: within a range, sorted by the ecosystem's order, a
 * version is affected from an `introduced` (`0`: from the start) until a `fixed` (excluded) or a
 * `last_affected` (included); or when it is listed in `versions`. GIT ranges (commits) are not
 * matched: images hold versions. A version the ecosystem cannot order is not matched by ranges.
 */
export function affects(entry: AffectedEntry, version: string, cmp: VersionCompare): Verdict {
  let fixed: string | undefined;
  let affected = entry.versions.includes(version);
  for (const range of entry.ranges) {
    if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') continue;
    const events = range.events
      .map((e) => {
        const [kind, v] = Object.entries(e)[0] ?? [];
        return kind && typeof v === 'string' ? { kind, v } : undefined;
      })
      .filter((e): e is { kind: string; v: string } => e !== undefined && e.kind !== 'limit');
    const order = (a: { kind: string; v: string }, b: { kind: string; v: string }): number => {
      if (a.kind === 'introduced' && a.v === '0') return b.kind === 'introduced' && b.v === '0' ? 0 : -1;
      if (b.kind === 'introduced' && b.v === '0') return 1;
      return cmp(a.v, b.v) ?? 0;
    };
    if (events.some((e) => !(e.kind === 'introduced' && e.v === '0') && cmp(e.v, e.v) === undefined)) continue;
    if (cmp(version, version) === undefined) continue;
    events.sort(order);
    // Walk up to the installed version: the state there decides; the next fixed event is its fix.
    let inside = false;
    let rangeFix: string | undefined;
    for (const e of events) {
      const c = e.kind === 'introduced' && e.v === '0' ? -1 : cmp(e.v, version)!;
      if (e.kind === 'introduced') {
        if (c > 0) break;
        inside = true;
      } else if (e.kind === 'fixed') {
        if (c > 0) {
          rangeFix = e.v;
          break;
        }
        inside = false;
      } else if (e.kind === 'last_affected') {
        if (c >= 0) break;
        inside = false;
      }
    }
    if (inside) {
      affected = true;
      if (rangeFix !== undefined && (fixed === undefined || (cmp(rangeFix, fixed) ?? 0) > 0)) fixed = rangeFix;
    }
  }
  return { affected, ...(affected && fixed !== undefined ? { fixed } : {}) };
}

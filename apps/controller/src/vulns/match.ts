import { affects, type OsvRange } from './osv-ranges.js';
import type { Severity } from './severity.js';
import { versionOrder } from './version-order.js';

/** One advisory that applies to one installed package of a build. */
export interface Finding {
  buildId: string;
  advisory: string;
  ecosystem: string;
  /** The installed package and version (a Debian binary package, matched by its source). */
  package: string;
  version: string;
  fixed?: string;
  severity: Severity;
}

export interface MatchComponent {
  build_id: string;
  ecosystem: string;
  name: string;
  version: string;
  package: string;
  installed: string;
}

export interface MatchAffected {
  advisory_id: string;
  ecosystem: string;
  package: string;
  ranges: OsvRange[];
  versions: string[];
  severity: string;
}

/**
 * Matches components against advisories' affected entries, each in its ecosystem's version order.
 * Entries are indexed by (ecosystem, package), so the work is the components times the advisories
 * of each one's own package, not the whole database.
 */
export function matchComponents(components: MatchComponent[], affected: MatchAffected[]): Finding[] {
  const index = new Map<string, MatchAffected[]>();
  for (const a of affected) {
    const key = `${a.ecosystem}\u0000${a.package}`;
    let list = index.get(key);
    if (!list) index.set(key, (list = []));
    list.push(a);
  }
  const findings: Finding[] = [];
  for (const c of components) {
    const entries = index.get(`${c.ecosystem}\u0000${c.name}`);
    if (!entries) continue;
    const cmp = versionOrder(c.ecosystem);
    if (!cmp) continue;
    for (const e of entries) {
      const verdict = affects(e, c.version, cmp);
      if (!verdict.affected) continue;
      findings.push({
        buildId: c.build_id,
        advisory: e.advisory_id,
        ecosystem: c.ecosystem,
        package: c.package,
        version: c.installed,
        ...(verdict.fixed !== undefined ? { fixed: verdict.fixed } : {}),
        severity: e.severity as Severity,
      });
    }
  }
  return findings;
}

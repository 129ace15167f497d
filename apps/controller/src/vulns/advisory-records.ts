import { AppError } from '@paas/shared';
import type { OsvRange } from './osv-ranges.js';
import { cvss3BaseScore, severityOfScore, severityOfUrgency, severityOfWord, severityRank, type Severity } from './severity.js';
import { isMatchedEcosystem } from './version-order.js';
import { normalisePypiName } from './sbom-components.js';

/** An advisory as paas stores it, from an OSV record or a Debian security tracker entry. */
export interface Advisory {
  id: string;
  source: 'osv' | 'debian-tracker';
  summary: string;
  aliases: string[];
  severity: Severity;
  score?: number;
  modified?: string;
  affected: AffectedPackage[];
}

export interface AffectedPackage {
  /** `npm`, `PyPI`, `Go`, `Debian:12` … */
  ecosystem: string;
  package: string;
  ranges: OsvRange[];
  versions: string[];
  severity?: Severity;
}

/** Bounds on what one record may hold: a huge record is refused, not stored. */
export const recordLimits = { affected: 2_000, rangesPerAffected: 50, eventsPerRange: 500, versions: 20_000, idLength: 200, summaryLength: 4_000 };

const invalid = (id: string, what: string): AppError => new AppError('invalid_params', `advisory ${id.slice(0, 100)}: ${what}`);

/** The Debian releases by codename, as the tracker names them, and their version numbers (OSV's `Debian:12`). */
export const debianReleases: Record<string, string> = { buster: '10', bullseye: '11', bookworm: '12', trixie: '13', forky: '14' };

/** OSV's ecosystem name for a Debian release (`Debian:12`); `Debian:12.4` and `Debian:12` are one. */
export function normaliseEcosystem(ecosystem: string): string {
  const deb = /^Debian:(\d+)/.exec(ecosystem);
  return deb ? `Debian:${deb[1]}` : ecosystem;
}

function severityOf(severityList: unknown, specific: unknown): { severity?: Severity; score?: number } {
  let best: { severity?: Severity; score?: number } = {};
  if (Array.isArray(severityList)) {
    for (const s of severityList as { type?: unknown; score?: unknown }[]) {
      if (typeof s?.score !== 'string' || (s.type !== 'CVSS_V3' && s.type !== 'CVSS_V31' && !s.score.startsWith('CVSS:3'))) continue;
      const score = cvss3BaseScore(s.score);
      if (score !== undefined && (best.score === undefined || score > best.score)) best = { severity: severityOfScore(score), score };
    }
  }
  const word = severityOfWord((specific as { severity?: unknown } | undefined)?.severity);
  // The database's own rating wins over a computed score when both are given.
  return word ? { ...best, severity: word } : best;
}

const str = (v: unknown, max: number): string => (typeof v === 'string' ? v.slice(0, max) : '');

/** One OSV record (https://ossf.github.io/osv-schema/); the packages of ecosystems paas does not match are left out. */
export function parseOsvRecord(raw: unknown): Advisory {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new AppError('invalid_params', 'an OSV record is a JSON object');
  const r = raw as Record<string, unknown>;
  const id = r['id'];
  if (typeof id !== 'string' || id === '' || id.length > recordLimits.idLength || /[\u0000-\u001f]/.test(id)) throw invalid(String(id ?? '?'), 'id: must be a short string');
  const affectedRaw = r['affected'] ?? [];
  if (!Array.isArray(affectedRaw)) throw invalid(id, 'affected: must be an array');
  if (affectedRaw.length > recordLimits.affected) throw invalid(id, `affected: more than ${recordLimits.affected} packages`);
  const top = severityOf(r['severity'], r['database_specific']);
  const affected: AffectedPackage[] = [];
  for (const a of affectedRaw as Record<string, unknown>[]) {
    const pkg = a?.['package'] as { ecosystem?: unknown; name?: unknown } | undefined;
    if (typeof pkg?.ecosystem !== 'string' || typeof pkg.name !== 'string' || pkg.name.length > 300) continue;
    const ecosystem = normaliseEcosystem(pkg.ecosystem);
    if (!isMatchedEcosystem(ecosystem)) continue;
    const ranges = Array.isArray(a['ranges']) ? (a['ranges'] as { type?: unknown; events?: unknown }[]) : [];
    if (ranges.length > recordLimits.rangesPerAffected) throw invalid(id, `affected ${pkg.name}: more than ${recordLimits.rangesPerAffected} ranges`);
    const kept: OsvRange[] = [];
    for (const range of ranges) {
      if (typeof range?.type !== 'string' || !Array.isArray(range.events)) throw invalid(id, `affected ${pkg.name}: a range needs a type and events`);
      if (range.events.length > recordLimits.eventsPerRange) throw invalid(id, `affected ${pkg.name}: more than ${recordLimits.eventsPerRange} events in a range`);
      if (range.type === 'GIT') continue;
      const events = (range.events as unknown[]).flatMap((e) => {
        if (!e || typeof e !== 'object') return [];
        const entries = Object.entries(e as Record<string, unknown>).filter(([k, v]) => ['introduced', 'fixed', 'last_affected', 'limit'].includes(k) && typeof v === 'string' && v.length <= 200);
        return entries.length === 1 ? [{ [entries[0]![0]]: entries[0]![1] as string }] : [];
      });
      kept.push({ type: range.type, events });
    }
    const versions = Array.isArray(a['versions']) ? (a['versions'] as unknown[]).filter((v): v is string => typeof v === 'string' && v.length <= 200) : [];
    if (versions.length > recordLimits.versions) throw invalid(id, `affected ${pkg.name}: more than ${recordLimits.versions} versions`);
    const own = severityOf(a['severity'], a['database_specific'] ?? a['ecosystem_specific']);
    affected.push({ ecosystem, package: ecosystem === 'PyPI' ? normalisePypiName(pkg.name) : pkg.name, ranges: kept, versions, ...(own.severity ? { severity: own.severity } : {}) });
  }
  const severity = top.severity ?? affected.map((a) => a.severity ?? 'unknown').sort((x, y) => severityRank(y) - severityRank(x))[0] ?? 'unknown';
  const aliases = Array.isArray(r['aliases']) ? (r['aliases'] as unknown[]).filter((x): x is string => typeof x === 'string' && x.length <= 200).slice(0, 100) : [];
  const modified = typeof r['modified'] === 'string' && !Number.isNaN(Date.parse(r['modified'])) ? r['modified'] : undefined;
  return {
    id,
    source: 'osv',
    summary: str(r['summary'], recordLimits.summaryLength) || str(r['details'], 300),
    aliases,
    severity,
    ...(top.score !== undefined ? { score: top.score } : {}),
    ...(modified ? { modified } : {}),
    affected,
  };
}

/** Whether a parsed JSON document is the Debian security tracker's (source package → CVE → { releases }). */
export function isDebianTracker(doc: unknown): boolean {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || 'id' in doc) return false;
  const first = Object.values(doc as Record<string, unknown>)[0];
  if (!first || typeof first !== 'object') return false;
  const entry = Object.values(first as Record<string, unknown>)[0] as { releases?: unknown } | undefined;
  return !!entry && typeof entry === 'object' && typeof entry.releases === 'object';
}

/**
 * The Debian security tracker's JSON: per source package, per CVE, per release `{status,
 * fixed_version, urgency}`. A CVE becomes one advisory with an affected entry per package and
 * release: `resolved` with a fixed version is affected below it (fixed version `0`: never affected),
 * `open` and `undetermined` affect every version. Its severity is the highest urgency given.
 */
export function parseDebianTracker(doc: Record<string, unknown>): Advisory[] {
  const byCve = new Map<string, Advisory>();
  for (const [pkg, cves] of Object.entries(doc)) {
    if (!cves || typeof cves !== 'object' || pkg.length > 300) continue;
    for (const [cve, entry] of Object.entries(cves as Record<string, unknown>)) {
      if (cve.length > recordLimits.idLength || !entry || typeof entry !== 'object') continue;
      const e = entry as { description?: unknown; releases?: Record<string, { status?: unknown; fixed_version?: unknown; urgency?: unknown }> };
      if (!e.releases || typeof e.releases !== 'object') continue;
      let adv = byCve.get(cve);
      if (!adv) {
        adv = { id: cve, source: 'debian-tracker', summary: str(e.description, recordLimits.summaryLength), aliases: [], severity: 'unknown', affected: [] };
        byCve.set(cve, adv);
      }
      for (const [codename, rel] of Object.entries(e.releases)) {
        const number = debianReleases[codename];
        if (!number || !rel || typeof rel !== 'object') continue;
        const severity = severityOfUrgency(rel.urgency);
        if (severityRank(severity) > severityRank(adv.severity)) adv.severity = severity;
        const fixed = typeof rel.fixed_version === 'string' ? rel.fixed_version : undefined;
        let events: Record<string, string>[];
        if (rel.status === 'resolved') {
          if (!fixed || fixed === '0') continue;
          events = [{ introduced: '0' }, { fixed }];
        } else if (rel.status === 'open' || rel.status === 'undetermined') events = [{ introduced: '0' }];
        else continue;
        if (adv.affected.length >= recordLimits.affected) throw invalid(cve, `more than ${recordLimits.affected} affected packages`);
        adv.affected.push({ ecosystem: `Debian:${number}`, package: pkg, ranges: [{ type: 'ECOSYSTEM', events }], versions: [], severity });
      }
    }
  }
  return [...byCve.values()].filter((a) => a.affected.length > 0);
}

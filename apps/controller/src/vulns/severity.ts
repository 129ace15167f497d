/** Severities, lowest first; `unknown` when an advisory gives none paas can read. */
export const severities = ['unknown', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

export function severityRank(s: string): number {
  const i = severities.indexOf(s as Severity);
  return i < 0 ? 0 : i;
}

/** CVSS's qualitative rating of a base score. */
export function severityOfScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'unknown';
}

/** An advisory's own words for its severity (OSV database_specific, GitHub's MODERATE…). */
export function severityOfWord(word: unknown): Severity | undefined {
  if (typeof word !== 'string') return undefined;
  const w = word.trim().toLowerCase();
  if (w === 'critical') return 'critical';
  if (w === 'high' || w === 'important') return 'high';
  if (w === 'medium' || w === 'moderate') return 'medium';
  if (w === 'low' || w === 'negligible' || w === 'minor') return 'low';
  return undefined;
}

/** The Debian security tracker's urgency (`low**`, `not yet assigned`, `unimportant`, …). */
export function severityOfUrgency(urgency: unknown): Severity {
  if (typeof urgency !== 'string') return 'unknown';
  const u = urgency.replace(/\*+$/, '').trim().toLowerCase();
  if (u === 'high') return 'high';
  if (u === 'medium') return 'medium';
  if (u === 'low' || u === 'unimportant') return 'low';
  return 'unknown';
}

const weights = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;

/** CVSS 3.1's Roundup: the smallest number with one decimal that is at least the input. */
function roundUp(x: number): number {
  const i = Math.round(x * 100_000);
  return i % 10_000 === 0 ? i / 100_000 : (Math.floor(i / 10_000) + 1) / 10;
}

/**
 * The base score of a CVSS v3.0 or v3.1 vector (`CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H` →
 * 9.8), by the specification's formulas; undefined when the vector is not a complete v3 base vector.
 */
export function cvss3BaseScore(vector: string): number | undefined {
  const parts = vector.trim().split('/');
  if (!/^CVSS:3\.[01]$/.test(parts[0] ?? '')) return undefined;
  const m = new Map<string, string>();
  for (const p of parts.slice(1)) {
    const [k, v] = p.split(':');
    if (!k || !v || m.has(k)) return undefined;
    m.set(k, v);
  }
  const get = <T extends Record<string, number>>(table: T, key: string): number | undefined => table[m.get(key) as keyof T] as number | undefined;
  const scope = m.get('S');
  if (scope !== 'U' && scope !== 'C') return undefined;
  const pr = { N: 0.85, L: scope === 'C' ? 0.68 : 0.62, H: scope === 'C' ? 0.5 : 0.27 }[m.get('PR') ?? ''];
  const [av, ac, ui, c, i, a] = [get(weights.AV, 'AV'), get(weights.AC, 'AC'), get(weights.UI, 'UI'), get(weights.CIA, 'C'), get(weights.CIA, 'I'), get(weights.CIA, 'A')];
  if (av === undefined || ac === undefined || ui === undefined || c === undefined || i === undefined || a === undefined || pr === undefined) return undefined;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15);
  const exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0;
  return scope === 'U' ? roundUp(Math.min(impact + exploitability, 10)) : roundUp(Math.min(1.08 * (impact + exploitability), 10));
}

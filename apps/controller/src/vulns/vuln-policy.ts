import { severityRank } from './severity.js';

/** What a release with findings at or above `severity` gets: nothing, a warning, or refused. */
export interface VulnPolicy {
  action: 'off' | 'warn' | 'refuse';
  severity: 'critical' | 'high' | 'medium' | 'low';
}

/** An advisory an app accepts until `expires_at` (matched by its id or an alias). */
export interface AllowEntry {
  advisory_id: string;
  expires_at: Date;
  reason: string;
}

export interface PolicyFinding {
  advisory_id: string;
  aliases: string[];
  package: string;
  version: string;
  fixed: string | null;
  severity: string;
}

export interface PolicyVerdict<F extends PolicyFinding> {
  action: VulnPolicy['action'];
  /** Findings at or above the policy's severity that no live allow-list entry covers. */
  over: F[];
  /** Those an allow-list entry covers, with its expiry. */
  allowed: { finding: F; until: Date }[];
}

/** Applies a policy and an allow-list to a release's findings. */
export function evaluatePolicy<F extends PolicyFinding>(policy: VulnPolicy, findings: F[], allow: AllowEntry[], now = new Date()): PolicyVerdict<F> {
  const verdict: PolicyVerdict<F> = { action: policy.action, over: [], allowed: [] };
  if (policy.action === 'off') return verdict;
  const live = allow.filter((a) => a.expires_at.getTime() > now.getTime());
  for (const f of findings) {
    if (severityRank(f.severity) < severityRank(policy.severity)) continue;
    const entry = live.find((a) => a.advisory_id === f.advisory_id || f.aliases.includes(a.advisory_id));
    if (entry) verdict.allowed.push({ finding: f, until: entry.expires_at });
    else verdict.over.push(f);
  }
  return verdict;
}

/** One line per finding: `express 4.17.1: GHSA-… (high), fixed in 4.17.3`. */
export function describeFinding(f: PolicyFinding): string {
  return `${f.package} ${f.version}: ${f.advisory_id} (${f.severity}), ${f.fixed ? `fixed in ${f.fixed}` : 'no fixed version yet'}`;
}

/** The lines a push shows for a verdict (none when nothing is over the policy). */
export function policyLines(policy: VulnPolicy, v: PolicyVerdict<PolicyFinding>, app: string): string[] {
  const lines: string[] = [];
  for (const a of v.allowed) lines.push(`       allowed until ${a.until.toISOString().slice(0, 10)}: ${describeFinding(a.finding)}`);
  if (v.over.length === 0) return lines;
  const head =
    v.action === 'refuse'
      ? `Release refused: ${v.over.length} known ${v.over.length === 1 ? 'vulnerability' : 'vulnerabilities'} at or above ${policy.severity} (the vulnerability policy refuses them)`
      : `Warning: ${v.over.length} known ${v.over.length === 1 ? 'vulnerability' : 'vulnerabilities'} at or above ${policy.severity}`;
  lines.unshift(head);
  const shown = v.over.slice(0, 50);
  for (const f of shown) lines.push(`  ${describeFinding(f)}`);
  if (v.over.length > shown.length) lines.push(`  … and ${v.over.length - shown.length} more (paas releases:vulns -a ${app})`);
  if (v.action === 'refuse') lines.push(`Upgrade them, or accept one for a while: paas vulns:allow ADVISORY --expires YYYY-MM-DD -a ${app}`);
  return lines;
}

import type { CaseResult } from './case-runner.js';

function lastLines(text: string, n: number): string[] {
  const lines = text.replace(/\n+$/, '').split('\n');
  return text.trim() === '' ? [] : lines.slice(-n);
}

/** One case's lines: PASS/FAIL/SKIP, and for a failure the assertion, why, and the tail of the build's output. */
export function formatCase(r: CaseResult): string {
  const id = `${r.file} ${r.name}`;
  if (r.status === 'skip') return `SKIP ${id}: ${r.reason}`;
  const unchecked = r.unchecked.length > 0 ? ` [${r.unchecked.length} metrics assertion${r.unchecked.length > 1 ? 's' : ''} not checked]` : '';
  const head = `${r.status === 'pass' ? 'PASS' : 'FAIL'} ${id} (${r.builds.length} build${r.builds.length === 1 ? '' : 's'}, ${Math.round(r.ms / 1000)} s)${unchecked}`;
  if (r.status === 'pass' || !r.failure) return head;
  const lines = [head, `     line ${r.failure.line}: ${r.failure.text}`, `     ${r.failure.message}`];
  const b = r.builds.at(-1);
  if (b) {
    lines.push(`     last build: ${b.text} -> exit ${b.exitCode}${b.notes.length ? ` (${b.notes.join('; ')})` : ''}`);
    for (const l of lastLines(b.stdout, 12)) lines.push(`       out| ${l}`);
    for (const l of lastLines(b.stderr, 8)) lines.push(`       err| ${l}`);
  }
  return lines.join('\n');
}

/** The failure a case is grouped under: its message with the case-specific parts (versions, paths, numbers) blurred. */
export function failureKey(r: CaseResult): string {
  const f = r.failure;
  if (!f) return '';
  const helper = /^\s*(\S+)/.exec(f.text)?.[1] ?? '';
  const msg = f.message.length > 140 ? `${f.message.slice(0, 137)}...` : f.message;
  return `${helper}: ${msg}`;
}

/** Lines of a failed build that say what went wrong, most telling first. */
const crashLines = [/^\s*(SyntaxError|TypeError|ReferenceError|RangeError): .*/, /^\s*Error: .*/, /^\s*npm (?:ERR!|error) code .*/, /: not found$|command not found/];

/**
 * What a failed case comes down to, for grouping: the builder's refusal; else, when the build failed,
 * the line of its output that says why (a crash, else its last ` !` line); else the failed assertion.
 */
export function causeOf(r: CaseResult): string {
  const b = r.builds.at(-1);
  if (!r.failure) return '';
  if (!b || r.failure.message.startsWith('runner')) return `runner: ${r.failure.message.slice(0, 120)}`;
  const blur = (l: string): string => l.trim().replace(/\b\d+(\.\d+)*\b/g, 'N').replace(/(^|[\s'"(])\/[\w./@-]+/g, '$1/…').slice(0, 140);
  if (b.notes.length > 0) return `builder: ${blur(b.notes.join('; '))}`;
  if (b.exitCode !== 0) {
    const lines = `${b.stdout}\n${b.stderr}`.split('\n');
    for (const re of crashLines) {
      const hit = lines.find((l) => re.test(l));
      if (hit) return `build failed: ${blur(hit)}`;
    }
    const bang = b.stderr.split('\n').filter((l) => /^\s*!/.test(l)).at(-1) ?? lastLines(b.stderr, 1)[0] ?? '(no output)';
    return `build failed: ${blur(bang)}`;
  }
  return `build passed, ${failureKey(r)}`;
}

export interface Summary {
  counts: { passed: number; failed: number; skipped: number; uncheckedAssertions: number };
  text: string;
}

/** The closing lines: failures by kind, skips by reason, the metrics left unchecked, then `N passed, N failed`. */
export function summary(results: readonly CaseResult[]): Summary {
  const passed = results.filter((r) => r.status === 'pass').length;
  const failed = results.filter((r) => r.status === 'fail').length;
  const skipped = results.filter((r) => r.status === 'skip');
  const uncheckedAssertions = results.reduce((n, r) => n + r.unchecked.length, 0);
  const lines: string[] = [''];
  const count = (keys: string[]): [string, number][] => {
    const m = new Map<string, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return [...m].sort((a, b) => b[1] - a[1]);
  };
  const failedCases = results.filter((r) => r.status === 'fail');
  const causes = count(failedCases.map(causeOf));
  if (causes.length > 0) {
    lines.push("Failed cases by cause (the builder's refusal, the failed build's error line, or the failed assertion):");
    for (const [k, n] of causes.slice(0, 40)) lines.push(`  ${String(n).padStart(3)}  ${k}`);
  }
  const reasons = count(skipped.map((r) => (r.reason ?? '').replace(/^line \d+: /, '')));
  if (reasons.length > 0) {
    lines.push('Skipped cases, by reason:');
    for (const [k, n] of reasons) lines.push(`  ${String(n).padStart(3)}  ${k}`);
  }
  const withUnchecked = results.filter((r) => r.status !== 'skip' && r.unchecked.length > 0).length;
  if (uncheckedAssertions > 0) {
    lines.push(`${uncheckedAssertions} metrics assertions (assertMetric*, Heroku's own build metrics file) left unchecked in ${withUnchecked} cases, which count on their other assertions`);
  }
  lines.push(`${skipped.length} skipped`, `${passed} passed, ${failed} failed`);
  return { counts: { passed, failed, skipped: skipped.length, uncheckedAssertions }, text: lines.join('\n') };
}

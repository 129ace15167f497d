import { compareDpkg } from './dpkg-version.js';
import { compareGo } from './go-version.js';
import { comparePep440 } from './pep440.js';
import { compareSemver } from './semver.js';

/** The ecosystems advisories are matched in (OSV's names; Debian's carry the release: `Debian:12`). */
export type Ecosystem = 'npm' | 'PyPI' | 'Go' | `Debian${'' | `:${string}`}`;

export type VersionCompare = (a: string, b: string) => number | undefined;

/** Each ecosystem's own version ordering; undefined for an ecosystem paas does not match in. */
export function versionOrder(ecosystem: string): VersionCompare | undefined {
  if (ecosystem === 'npm') return compareSemver;
  if (ecosystem === 'PyPI') return comparePep440;
  if (ecosystem === 'Go') return compareGo;
  if (ecosystem === 'Debian' || ecosystem.startsWith('Debian:')) return compareDpkg;
  return undefined;
}

/** Whether an ecosystem name is one paas matches in. */
export function isMatchedEcosystem(ecosystem: string): boolean {
  return versionOrder(ecosystem) !== undefined;
}

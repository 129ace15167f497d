import { cachedParser } from './parse-cache.js';
import { compareSemverParsed, parseSemver, type SemVer } from './semver.js';

/**
 * Go's module versions: semver with a `v` (OSV writes them without), pseudo-versions
 * (`v0.0.0-20191109021931-daa7c04131f5`, `v1.2.4-0.2019…`) being pre-releases that sort by their
 * timestamp, `+incompatible` build metadata that does not count; and the Go toolchain's own versions
 * (`go1.21`, `1.21rc2`), as the `stdlib` module's in OSV.
 */
export function parseGoVersion(v: string): SemVer | undefined {
  let s = v.trim().replace(/^go/, '').replace(/^v/, '');
  const toolchain = /^(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?$/.exec(s);
  if (toolchain) s = `${toolchain[1]}.${toolchain[2]}.${toolchain[3] ?? '0'}${toolchain[4] ? `-${toolchain[4]}.${toolchain[5]}` : ''}`;
  return parseSemver(s);
}

const parseCached = cachedParser(parseGoVersion);

export function compareGo(a: string, b: string): number | undefined {
  const x = parseCached(a);
  const y = parseCached(b);
  return x && y ? compareSemverParsed(x, y) : undefined;
}

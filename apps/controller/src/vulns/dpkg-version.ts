import { cachedParser } from './parse-cache.js';
/**
 * Debian's version ordering, as dpkg implements it (lib/dpkg/version.c): `[epoch:]upstream[-revision]`,
 * epochs compared as numbers, then upstream and revision with `verrevcmp`: runs of non-digits
 * compared character by character (letters before other characters, `~` before anything, even the
 * end), then runs of digits as numbers.
 */
export interface DpkgVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

export function parseDpkgVersion(v: string): DpkgVersion | undefined {
  const s = v.trim();
  if (s === '' || /\s/.test(s)) return undefined;
  let epoch = 0;
  let rest = s;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    const e = s.slice(0, colon);
    if (!/^\d{1,9}$/.test(e)) return undefined;
    epoch = Number(e);
    rest = s.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  const upstream = dash >= 0 ? rest.slice(0, dash) : rest;
  const revision = dash >= 0 ? rest.slice(dash + 1) : '';
  if (upstream === '' || !/^[0-9]/.test(upstream) || (dash >= 0 && revision === '')) return undefined;
  if (!/^[A-Za-z0-9.+~:-]+$/.test(upstream) || !/^[A-Za-z0-9.+~]*$/.test(revision)) return undefined;
  return { epoch, upstream, revision };
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** dpkg's order(): digits and the end 0, letters their code, `~` -1, anything else its code + 256. */
function order(c: number): number {
  if (c === 0 || isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 126) return -1;
  return c + 256;
}

/** dpkg's verrevcmp, on strings (0 stands for the end, as the C string's NUL). */
export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  const at = (s: string, k: number): number => (k < s.length ? s.charCodeAt(k) : 0);
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((at(a, i) !== 0 && !isDigit(at(a, i))) || (at(b, j) !== 0 && !isDigit(at(b, j)))) {
      const ac = order(at(a, i));
      const bc = order(at(b, j));
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (at(a, i) === 48) i++;
    while (at(b, j) === 48) j++;
    while (isDigit(at(a, i)) && isDigit(at(b, j))) {
      if (firstDiff === 0) firstDiff = at(a, i) - at(b, j);
      i++;
      j++;
    }
    if (isDigit(at(a, i))) return 1;
    if (isDigit(at(b, j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

/** Negative, zero or positive as `a` sorts before, with or after `b`; undefined when either is not a Debian version. */
const parseCached = cachedParser(parseDpkgVersion);

export function compareDpkg(a: string, b: string): number | undefined {
  const x = parseCached(a);
  const y = parseCached(b);
  if (!x || !y) return undefined;
  if (x.epoch !== y.epoch) return x.epoch > y.epoch ? 1 : -1;
  return Math.sign(verrevcmp(x.upstream, y.upstream)) || Math.sign(verrevcmp(x.revision, y.revision));
}

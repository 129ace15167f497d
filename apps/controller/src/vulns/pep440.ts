import { cachedParser } from './parse-cache.js';
/**
 * Python's version ordering, PEP 440 (as `packaging.version` implements it): `[N!]N(.N)*[{a|b|rc}N]
 * [.postN][.devN][+local]`, with its spellings normalised (alpha, beta, c, pre, preview, rev, r,
 * separators `-`, `_`, `.`), trailing zeros of the release ignored, and a dev release of a final
 * sorting before its pre-releases.
 */
const pep440Re =
  /^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;

type Key = [number, number[], number[], number, number, (number | string)[] | null];

const preRank: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

export function pep440Key(v: string): Key | undefined {
  const m = pep440Re.exec(v);
  if (!m) return undefined;
  const release = m[2]!.split('.').map(Number);
  while (release.length > 1 && release[release.length - 1] === 0) release.pop();
  const hasPre = m[3] !== undefined;
  const hasPost = m[5] !== undefined || m[6] !== undefined;
  const hasDev = m[8] !== undefined;
  // pre: a dev release of a final (1.0.dev1) sorts before 1.0a1; a final after its pre-releases.
  const pre = hasPre ? [preRank[m[3]!.toLowerCase()]!, Number(m[4] ?? 0)] : !hasPost && hasDev ? [-Infinity] : [Infinity];
  const post = hasPost ? Number(m[5] ?? m[7] ?? 0) : -Infinity;
  const dev = hasDev ? Number(m[9] ?? 0) : Infinity;
  const local = m[10] ? m[10].toLowerCase().split(/[-_.]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : null;
  return [Number(m[1] ?? 0), release, pre, post, dev, local];
}

function compareNumbers(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function compareLocal(a: (number | string)[] | null, b: (number | string)[] | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const x = a[i]!;
    const y = b[i]!;
    if (typeof x !== typeof y) return typeof x === 'number' ? 1 : -1; // numeric segments sort after alphanumeric ones
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

const keyCached = cachedParser(pep440Key);

export function comparePep440(a: string, b: string): number | undefined {
  const x = keyCached(a);
  const y = keyCached(b);
  if (!x || !y) return undefined;
  if (x[0] !== y[0]) return x[0] < y[0] ? -1 : 1;
  return (
    compareNumbers(x[1], y[1]) ||
    compareNumbers(x[2], y[2]) ||
    (x[3] === y[3] ? 0 : x[3] < y[3] ? -1 : 1) ||
    (x[4] === y[4] ? 0 : x[4] < y[4] ? -1 : 1) ||
    compareLocal(x[5], y[5])
  );
}

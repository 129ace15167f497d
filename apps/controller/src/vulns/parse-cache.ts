/**
 * Memoises a version parser: matching compares the same few thousand versions again and again. The
 * cache is bounded (cleared when full), so a huge import cannot grow it without end.
 */
export function cachedParser<T>(parse: (v: string) => T, max = 100_000): (v: string) => T {
  const cache = new Map<string, T>();
  return (v: string): T => {
    if (cache.has(v)) return cache.get(v) as T;
    if (cache.size >= max) cache.clear();
    const parsed = parse(v);
    cache.set(v, parsed);
    return parsed;
  };
}

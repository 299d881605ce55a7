/**
 * A memo of a pure function of a word, bounded: when it is full it is emptied, so odd input (random
 * strings, long numbers) cannot grow it without bound, while the everyday vocabulary of customers
 * stays a hit nearly always.
 */

/** The value of `compute(key)`, remembered in `cache` (emptied when it reaches `limit`). */
export function cachedIn<V>(
  cache: Map<string, V>,
  limit: number,
  key: string,
  compute: (key: string) => V,
): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = compute(key);
    if (cache.size >= limit) cache.clear();
    cache.set(key, value);
  }
  return value;
}

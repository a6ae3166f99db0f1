/**
 * Binary search shared by the engine and the server (token, finding, line and patch lookups by
 * offset).
 */

/**
 * The first index `i` of `[0, n)` for which `below(i)` is false, or `n` when there is none. `below`
 * must be true on a prefix of the range and false after it, as "element `i` is less than x" is on
 * a list sorted ascending. O(log n) calls of `below`.
 */
export function lowerBound(n: number, below: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (below(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

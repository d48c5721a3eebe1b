/**
 * Ranks 1..n with ties given their average rank (pandas' rank(method='average')); NaN stays NaN.
 * The values are sorted natively once; each value's rank comes from the first and last places
 * it holds in the sorted copy ((first + last) / 2, 1-based: exact, as pandas' sum / count is).
 */
export function rankAverage(a: Float64Array): Float64Array {
  const n = a.length;
  let valid = 0;
  for (let i = 0; i < n; i++) if (a[i] === a[i]) valid++;
  const sorted = new Float64Array(valid);
  let k = 0;
  for (let i = 0; i < n; i++) if (a[i] === a[i]) sorted[k++] = a[i]!;
  sorted.sort();
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    if (v !== v) {
      out[i] = Number.NaN;
      continue;
    }
    // first index with sorted[j] >= v, and first with sorted[j] > v
    let lo = 0;
    let hi = valid;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    let lo2 = lo;
    let hi2 = valid;
    while (lo2 < hi2) {
      const mid = (lo2 + hi2) >>> 1;
      if (sorted[mid]! <= v) lo2 = mid + 1;
      else hi2 = mid;
    }
    out[i] = (lo + 1 + lo2) / 2;
  }
  return out;
}

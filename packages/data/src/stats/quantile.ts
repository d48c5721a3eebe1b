/** The non-NaN values, sorted ascending (what np.percentile works on after pandas drops NaN). */
export function sortedValid(a: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === a[i]) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === a[i]) out[k++] = a[i]!;
  return out.sort();
}

/**
 * NumPy's `percentile(..., method='linear')` on sorted values: virtual index (n-1)·q and
 * NumPy's `_lerp`, which interpolates from the upper neighbour when the fraction is ≥ 0.5 (so the
 * last bits match NumPy's).
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const virtual = (n - 1) * q;
  if (virtual >= n - 1) return sorted[n - 1]!;
  if (virtual < 0) return sorted[0]!;
  const prev = Math.floor(virtual);
  const a = sorted[prev]!;
  const b = sorted[prev + 1]!;
  const t = virtual - prev;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

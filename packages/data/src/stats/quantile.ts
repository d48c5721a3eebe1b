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

/** The non-NaN values, unsorted (a copy). */
export function validCopy(a: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === a[i]) n++;
  if (n === a.length) return a.slice();
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === a[i]) out[k++] = a[i]!;
  return out;
}

/**
 * Rearranges a[lo, hi) so that a[k] holds the value a sorted array would have there, smaller
 * or equal values before it and larger or equal after (NumPy's partition). Quickselect with a
 * median-of-three pivot; falls back to sorting the range if it keeps choosing badly.
 */
function selectInPlace(a: Float64Array, k: number, lo: number, hi: number): void {
  let left = lo;
  let right = hi - 1;
  let rounds = 0;
  while (right > left) {
    if (++rounds > 64) {
      a.subarray(left, right + 1).sort();
      return;
    }
    const mid = (left + right) >>> 1;
    // median of three to a[mid]
    if (a[mid]! < a[left]!) swap(a, mid, left);
    if (a[right]! < a[left]!) swap(a, right, left);
    if (a[right]! < a[mid]!) swap(a, right, mid);
    const pivot = a[mid]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/**
 * Linear-interpolation quantiles of the non-NaN values of `a`, exactly as quantileSorted would
 * give them, but by selecting only the order statistics needed (O(n) instead of a sort).
 */
export function quantiles(a: Float64Array, qs: readonly number[]): number[] {
  const v = validCopy(a);
  const n = v.length;
  if (n === 0) return qs.map(() => Number.NaN);
  const needed = new Set<number>();
  for (const q of qs) {
    const virtual = (n - 1) * q;
    const prev = Math.max(0, Math.min(n - 1, Math.floor(virtual)));
    needed.add(prev);
    if (prev + 1 < n) needed.add(prev + 1);
  }
  const ks = [...needed].sort((x, y) => x - y);
  let lo = 0;
  for (const k of ks) {
    if (k === lo && lo > 0) {
      // the element right after a selected one is the minimum of what is left: one scan
      let m = lo;
      for (let i = lo + 1; i < n; i++) if (v[i]! < v[m]!) m = i;
      swap(v, lo, m);
    } else selectInPlace(v, k, lo, n);
    lo = k + 1;
  }
  return qs.map((q) => {
    const virtual = (n - 1) * q;
    if (virtual >= n - 1) return v[n - 1]!;
    if (virtual < 0) return v[0]!;
    const prev = Math.floor(virtual);
    const x = v[prev]!;
    const y = v[prev + 1]!;
    const t = virtual - prev;
    const diff = y - x;
    return t >= 0.5 ? y - diff * (1 - t) : x + diff * t;
  });
}

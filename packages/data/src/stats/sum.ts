/**
 * Summation as NumPy does it (`pairwise_sum_DOUBLE` in numpy/core/src/umath/loops_utils.h):
 * blocks of up to 128 elements summed with 8 accumulators, larger ranges split in two at a
 * multiple of 8. pandas' mean/var/std sum this way (with missing values replaced by 0), so doing
 * the same gives the same last bits, and a far smaller error than a running sum.
 */
const BLOCK = 128;

/** Sum of a[start..start+n), NaN elements counted as 0 (pandas fills missing values with 0 first). */
export function pairwiseSum(a: Float64Array, start = 0, n = a.length - start): number {
  return pairwise(a, start, n, nz);
}

/** Sum of a[start..start+n) with NaN elements kept (so the sum is NaN). */
export function pairwiseSumRaw(a: Float64Array, start = 0, n = a.length - start): number {
  return pairwise(a, start, n, same);
}

function same(x: number): number {
  return x;
}

function pairwise(a: Float64Array, start: number, n: number, nz: (x: number) => number): number {
  if (n < 8) {
    // NumPy starts this branch from -0.0 (so an empty sum of -0s stays -0); 0 + x below is the same for our uses.
    let res = -0;
    for (let i = start; i < start + n; i++) res += nz(a[i]!);
    return res;
  }
  if (n <= BLOCK) {
    let r0 = nz(a[start]!);
    let r1 = nz(a[start + 1]!);
    let r2 = nz(a[start + 2]!);
    let r3 = nz(a[start + 3]!);
    let r4 = nz(a[start + 4]!);
    let r5 = nz(a[start + 5]!);
    let r6 = nz(a[start + 6]!);
    let r7 = nz(a[start + 7]!);
    const end8 = start + (n - (n % 8));
    let i = start + 8;
    for (; i < end8; i += 8) {
      r0 += nz(a[i]!);
      r1 += nz(a[i + 1]!);
      r2 += nz(a[i + 2]!);
      r3 += nz(a[i + 3]!);
      r4 += nz(a[i + 4]!);
      r5 += nz(a[i + 5]!);
      r6 += nz(a[i + 6]!);
      r7 += nz(a[i + 7]!);
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < start + n; i++) res += nz(a[i]!);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(a, start, n2, nz) + pairwise(a, start + n2, n - n2, nz);
}

function nz(x: number): number {
  return x === x ? x : 0;
}

/** Number of non-NaN values. */
export function countValid(a: Float64Array): number {
  let c = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === a[i]) c++;
  return c;
}

/** pandas' nanmean: NumPy's sum of the values with NaN as 0, over the count of non-NaN. */
export function nanMean(a: Float64Array): number {
  const count = countValid(a);
  return count === 0 ? Number.NaN : (0 + pairwiseSum(a)) / count;
}

/**
 * pandas' nanvar: the two-pass algorithm (mean, then the sum of squared deviations), both sums
 * pairwise, divided by count - ddof; NaN when count <= ddof.
 */
export function nanVar(a: Float64Array, ddof = 1): number {
  const count = countValid(a);
  if (count <= ddof) return Number.NaN;
  const avg = (0 + pairwiseSum(a)) / count;
  const sq = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    const d = avg - v;
    // missing values count 0; a NaN made here (inf - inf) stays, as in pandas
    sq[i] = v !== v ? 0 : d * d;
  }
  return (0 + pairwiseSumRaw(sq)) / (count - ddof);
}

export function nanStd(a: Float64Array, ddof = 1): number {
  return Math.sqrt(nanVar(a, ddof));
}

/** Minimum ignoring NaN; NaN when nothing is left. */
export function nanMin(a: Float64Array): number {
  let m = Number.POSITIVE_INFINITY;
  let seen = false;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v === v) {
      seen = true;
      if (v < m) m = v;
    }
  }
  return seen ? m : Number.NaN;
}

export function nanMax(a: Float64Array): number {
  let m = Number.NEGATIVE_INFINITY;
  let seen = false;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v === v) {
      seen = true;
      if (v > m) m = v;
    }
  }
  return seen ? m : Number.NaN;
}

/** pandas' nansum: pairwise with NaN as 0 (0 for an all-missing column, as pandas' min_count=0). */
export function nanSum(a: Float64Array): number {
  return 0 + pairwiseSum(a);
}

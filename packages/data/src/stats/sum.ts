/**
 * Summation as NumPy does it (`pairwise_sum_DOUBLE` in numpy/core/src/umath/loops_utils.h):
 * blocks of up to 128 elements summed with 8 accumulators, larger ranges split in two at a
 * multiple of 8. pandas' mean/var/std sum this way (with missing values replaced by 0), so doing
 * the same gives the same last bits, and a far smaller error than a running sum.
 */
const BLOCK = 128;

/** Sum of a[start..start+n), NaN elements counted as 0 (pandas fills missing values with 0 first). */
export function pairwiseSum(a: Float64Array, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = start; i < start + n; i++) {
      const x = a[i]!;
      if (x === x) res += x;
    }
    return res;
  }
  if (n <= BLOCK) {
    let r0 = 0;
    let r1 = 0;
    let r2 = 0;
    let r3 = 0;
    let r4 = 0;
    let r5 = 0;
    let r6 = 0;
    let r7 = 0;
    const end8 = start + (n - (n % 8));
    for (let i = start; i < end8; i += 8) {
      // x === x is false only for NaN: missing values add nothing
      const x0 = a[i]!;
      const x1 = a[i + 1]!;
      const x2 = a[i + 2]!;
      const x3 = a[i + 3]!;
      const x4 = a[i + 4]!;
      const x5 = a[i + 5]!;
      const x6 = a[i + 6]!;
      const x7 = a[i + 7]!;
      r0 += x0 === x0 ? x0 : 0;
      r1 += x1 === x1 ? x1 : 0;
      r2 += x2 === x2 ? x2 : 0;
      r3 += x3 === x3 ? x3 : 0;
      r4 += x4 === x4 ? x4 : 0;
      r5 += x5 === x5 ? x5 : 0;
      r6 += x6 === x6 ? x6 : 0;
      r7 += x7 === x7 ? x7 : 0;
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (let i = end8; i < start + n; i++) {
      const x = a[i]!;
      if (x === x) res += x;
    }
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** Sum of a[start..start+n) with NaN elements kept (so the sum is NaN). */
export function pairwiseSumRaw(a: Float64Array, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = start; i < start + n; i++) res += a[i]!;
    return res;
  }
  if (n <= BLOCK) {
    let r0 = a[start]!;
    let r1 = a[start + 1]!;
    let r2 = a[start + 2]!;
    let r3 = a[start + 3]!;
    let r4 = a[start + 4]!;
    let r5 = a[start + 5]!;
    let r6 = a[start + 6]!;
    let r7 = a[start + 7]!;
    const end8 = start + (n - (n % 8));
    let i = start + 8;
    for (; i < end8; i += 8) {
      r0 += a[i]!;
      r1 += a[i + 1]!;
      r2 += a[i + 2]!;
      r3 += a[i + 3]!;
      r4 += a[i + 4]!;
      r5 += a[i + 5]!;
      r6 += a[i + 6]!;
      r7 += a[i + 7]!;
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < start + n; i++) res += a[i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSumRaw(a, start, n2) + pairwiseSumRaw(a, start + n2, n - n2);
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

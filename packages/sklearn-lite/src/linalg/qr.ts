import { ShapeError } from '@lumen/tensor';

/**
 * Householder QR. Works on the transposed matrix (each row of `at` is a column of A) so every
 * reflection reads and writes contiguous memory.
 */
export interface HouseholderQr {
  m: number;
  n: number;
  /** n x m: row k holds R's column k above the diagonal (entries < k) and the Householder vector v_k from k on. */
  at: Float64Array;
  /** R's diagonal. */
  rdiag: Float64Array;
  /** 2 / (v_k · v_k), 0 where the column was already zero. */
  beta: Float64Array;
}

/**
 * Factorizes A (m x n) given as its transpose `at` (n x m), which it overwrites. Only the first
 * `steps` columns are reduced (default n, needs m >= n); later columns, e.g. a right-hand side
 * stored as an extra column, are transformed along.
 */
export function householderQrTransposed(at: Float64Array, m: number, n: number, steps = n): HouseholderQr {
  if (m < steps) throw new ShapeError(`householderQr needs m >= ${steps}, got ${m} x ${n}`);
  const rdiag = new Float64Array(steps);
  const beta = new Float64Array(steps);
  for (let k = 0; k < steps; k++) {
    const ko = k * m;
    let norm2 = 0;
    for (let i = k; i < m; i++) norm2 += at[ko + i]! * at[ko + i]!;
    if (norm2 === 0) {
      rdiag[k] = 0;
      beta[k] = 0;
      continue;
    }
    const x0 = at[ko + k]!;
    const norm = Math.sqrt(norm2);
    const alpha = x0 >= 0 ? -norm : norm;
    const v0 = x0 - alpha;
    at[ko + k] = v0;
    const vnorm2 = norm2 - x0 * x0 + v0 * v0;
    const b = 2 / vnorm2;
    rdiag[k] = alpha;
    beta[k] = b;
    // Two columns per pass over v: half the loads of v.
    let j = k + 1;
    for (; j + 1 < n; j += 2) {
      const j0 = j * m;
      const j1 = j0 + m;
      let s0 = 0;
      let s1 = 0;
      for (let i = k; i < m; i++) {
        const v = at[ko + i]!;
        s0 += v * at[j0 + i]!;
        s1 += v * at[j1 + i]!;
      }
      s0 *= b;
      s1 *= b;
      for (let i = k; i < m; i++) {
        const v = at[ko + i]!;
        at[j0 + i]! -= s0 * v;
        at[j1 + i]! -= s1 * v;
      }
    }
    for (; j < n; j++) {
      const jo = j * m;
      let s = 0;
      for (let i = k; i < m; i++) s += at[ko + i]! * at[jo + i]!;
      s *= b;
      if (s === 0) continue;
      for (let i = k; i < m; i++) at[jo + i]! -= s * at[ko + i]!;
    }
  }
  return { m, n: steps, at, rdiag, beta };
}

/** The thin Q (m x n) as its transpose: row j is Q's column j. */
export function thinQTransposed(f: HouseholderQr): Float64Array {
  const { m, n, at, beta } = f;
  const qt = new Float64Array(n * m);
  for (let j = 0; j < n; j++) {
    const jo = j * m;
    qt[jo + j] = 1;
    // H_k leaves e_j alone for k > j, so start at k = j.
    for (let k = j; k >= 0; k--) {
      const b = beta[k]!;
      if (b === 0) continue;
      const ko = k * m;
      let s = 0;
      for (let i = k; i < m; i++) s += at[ko + i]! * qt[jo + i]!;
      s *= b;
      if (s === 0) continue;
      for (let i = k; i < m; i++) qt[jo + i]! -= s * at[ko + i]!;
    }
  }
  return qt;
}

/** R (n x n, row-major, upper triangular). */
export function upperR(f: HouseholderQr): Float64Array {
  const { m, n, at, rdiag } = f;
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    r[i * n + i] = rdiag[i]!;
    for (let j = i + 1; j < n; j++) r[i * n + j] = at[j * m + i]!;
  }
  return r;
}

/**
 * An orthonormal basis (rows of the result, k x m) of the span of the k rows of `yt` (each of
 * length m, m >= k). Used by the randomized range finder.
 */
export function orthonormalRows(yt: Float64Array, m: number, k: number): Float64Array {
  return thinQTransposed(householderQrTransposed(yt, m, k));
}

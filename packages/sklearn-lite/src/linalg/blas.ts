/**
 * Dense float64 kernels on row-major arrays. Loops are ordered so the innermost one walks
 * contiguous memory; the hot ones keep four accumulators so each loaded value is used four times.
 */

/**
 * C (m x n) = A (m x k) · Bᵀ where B is (n x k): dot products of rows. A 2 x 4 block of C is
 * computed at once (each loaded value of A used four times, of B twice, eight accumulators in
 * registers), and long rows are cut into panels of 1024 so the panel of A stays in cache while
 * B streams past.
 */
export function gemmABt(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  out?: Float64Array,
): Float64Array {
  const c = out ?? new Float64Array(m * n);
  const PANEL = 1024;
  if (k <= PANEL) gemmABtPanel(a, b, m, k, n, c, 0, k, false);
  else
    for (let p0 = 0; p0 < k; p0 += PANEL) gemmABtPanel(a, b, m, k, n, c, p0, Math.min(k, p0 + PANEL), p0 > 0);
  return c;
}

function gemmABtPanel(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  c: Float64Array,
  p0: number,
  p1: number,
  acc: boolean,
): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const b0 = j * k;
    const b1 = b0 + k;
    const b2 = b1 + k;
    const b3 = b2 + k;
    let i = 0;
    for (; i + 2 <= m; i += 2) {
      const a0 = i * k;
      const a1 = a0 + k;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let p = p0; p < p1; p++) {
        const x0 = a[a0 + p]!;
        const x1 = a[a1 + p]!;
        const y0 = b[b0 + p]!;
        const y1 = b[b1 + p]!;
        const y2 = b[b2 + p]!;
        const y3 = b[b3 + p]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
      }
      const c0 = i * n + j;
      const c1 = c0 + n;
      c[c0] = acc ? c[c0]! + s00 : s00;
      c[c0 + 1] = acc ? c[c0 + 1]! + s01 : s01;
      c[c0 + 2] = acc ? c[c0 + 2]! + s02 : s02;
      c[c0 + 3] = acc ? c[c0 + 3]! + s03 : s03;
      c[c1] = acc ? c[c1]! + s10 : s10;
      c[c1 + 1] = acc ? c[c1 + 1]! + s11 : s11;
      c[c1 + 2] = acc ? c[c1 + 2]! + s12 : s12;
      c[c1 + 3] = acc ? c[c1 + 3]! + s13 : s13;
    }
    for (; i < m; i++) {
      const ai = i * k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let p = p0; p < p1; p++) {
        const x = a[ai + p]!;
        s0 += x * b[b0 + p]!;
        s1 += x * b[b1 + p]!;
        s2 += x * b[b2 + p]!;
        s3 += x * b[b3 + p]!;
      }
      const ci = i * n + j;
      c[ci] = acc ? c[ci]! + s0 : s0;
      c[ci + 1] = acc ? c[ci + 1]! + s1 : s1;
      c[ci + 2] = acc ? c[ci + 2]! + s2 : s2;
      c[ci + 3] = acc ? c[ci + 3]! + s3 : s3;
    }
  }
  for (; j < n; j++) {
    const bj = j * k;
    for (let i = 0; i < m; i++) {
      const ai = i * k;
      let s0 = 0;
      let s1 = 0;
      let p = p0;
      for (; p + 1 < p1; p += 2) {
        s0 += a[ai + p]! * b[bj + p]!;
        s1 += a[ai + p + 1]! * b[bj + p + 1]!;
      }
      if (p < p1) s0 += a[ai + p]! * b[bj + p]!;
      c[i * n + j] = acc ? c[i * n + j]! + s0 + s1 : s0 + s1;
    }
  }
}

/** C (m x n) = A (m x k) · B (k x n). */
export function gemm(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  out?: Float64Array,
): Float64Array {
  const c = out ?? new Float64Array(m * n);
  if (out) c.fill(0);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    const ai = i * k;
    for (let p = 0; p < k; p++) {
      const x = a[ai + p]!;
      if (x === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j]! += x * b[bp + j]!;
    }
  }
  return c;
}

/**
 * Cᵀ (n x k) = (Aᵀ · B)ᵀ where A is (m x k) and B is (m x n): each row of A is added into the rows
 * of Cᵀ scaled by B's entries, so both reads and writes stay contiguous.
 */
export function gemmAtBTransposed(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
): Float64Array {
  const ct = new Float64Array(n * k);
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    const bi = i * n;
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      const y0 = b[bi + j]!;
      const y1 = b[bi + j + 1]!;
      const c0 = j * k;
      const c1 = c0 + k;
      for (let p = 0; p < k; p++) {
        const x = a[ai + p]!;
        ct[c0 + p]! += y0 * x;
        ct[c1 + p]! += y1 * x;
      }
    }
    for (; j < n; j++) {
      const y = b[bi + j]!;
      const c0 = j * k;
      for (let p = 0; p < k; p++) ct[c0 + p]! += y * a[ai + p]!;
    }
  }
  return ct;
}

/** C (k x n) = Aᵀ · B where A is (m x k) and B is (m x n). */
export function gemmAtB(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  return transpose(gemmAtBTransposed(b, a, m, n, k), n, k);
}

/** Aᵀ (n x m) of A (m x n). */
export function transpose(a: Float64Array, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  const B = 32;
  for (let i0 = 0; i0 < m; i0 += B) {
    const i1 = Math.min(m, i0 + B);
    for (let j0 = 0; j0 < n; j0 += B) {
      const j1 = Math.min(n, j0 + B);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) t[j * m + i] = a[i * n + j]!;
    }
  }
  return t;
}

/** Gram matrix Aᵀ·A (n x n) of A (m x n), filling both triangles. */
export function gram(a: Float64Array, m: number, n: number): Float64Array {
  const g = gemmAtBTransposed(a, a, m, n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) g[j * n + i] = g[i * n + j]!;
  return g;
}

export function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    s0 += a[ao + i]! * b[bo + i]!;
    s1 += a[ao + i + 1]! * b[bo + i + 1]!;
  }
  if (i < n) s0 += a[ao + i]! * b[bo + i]!;
  return s0 + s1;
}

/** Column means of A (m x n). */
export function columnMeans(a: Float64Array, m: number, n: number): Float64Array {
  const mean = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) mean[j]! += a[o + j]!;
  }
  for (let j = 0; j < n; j++) mean[j]! /= m;
  return mean;
}

/** Squared Euclidean norm of each row of A (m x n). */
export function rowSquaredNorms(a: Float64Array, m: number, n: number): Float64Array {
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) out[i] = dot(a, i * n, a, i * n, n);
  return out;
}

/** Subtracts v from every row of A (m x n), in place. */
export function subtractRow(a: Float64Array, m: number, n: number, v: Float64Array): void {
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) a[o + j]! -= v[j]!;
  }
}

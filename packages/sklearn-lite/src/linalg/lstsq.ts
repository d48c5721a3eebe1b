import { householderQrTransposed } from './qr.js';
import { jacobiSvd, type Svd } from './svd.js';

/** The triangular factor of a tall least-squares problem: X = Q R, Qᵀy (first n entries), and ‖y - X·x*‖². */
export interface TallQr {
  r: Float64Array; // n x n, upper triangular, row-major
  qty: Float64Array; // n
  rss: number;
}

/**
 * Householder QR of [X | y] streamed over blocks of rows (TSQR with a flat tree): each block is
 * stacked under the running R and re-triangularized, so the data is read once and every
 * reflection works in cache. Numerically this is Householder QR, not the normal equations.
 */
export function tallQr(X: Float64Array, m: number, n: number, y: Float64Array): TallQr {
  const block = Math.max(256, 4 * n);
  const r = new Float64Array(n * n);
  const qty = new Float64Array(n);
  let rss = 0;
  let have = 0; // rows of R filled so far (< n only at the start)
  for (let r0 = 0; r0 < m; r0 += block) {
    const b = Math.min(block, m - r0);
    const L = have + b;
    // Transposed stack: column j (0..n-1) of [R; B], then y's column.
    const at = new Float64Array((n + 1) * L);
    for (let j = 0; j < n; j++) {
      const o = j * L;
      for (let i = 0; i < have; i++) at[o + i] = r[i * n + j]!;
      for (let i = 0; i < b; i++) at[o + have + i] = X[(r0 + i) * n + j]!;
    }
    const yo = n * L;
    for (let i = 0; i < have; i++) at[yo + i] = qty[i]!;
    for (let i = 0; i < b; i++) at[yo + have + i] = y[r0 + i]!;
    const steps = Math.min(n, L);
    const f = householderQrTransposed(at, L, n + 1, steps);
    const kept = Math.min(n, L);
    r.fill(0);
    for (let i = 0; i < kept; i++) {
      r[i * n + i] = f.rdiag[i]!;
      for (let j = i + 1; j < n; j++) r[i * n + j] = at[j * L + i]!;
      qty[i] = at[yo + i]!;
    }
    for (let i = kept; i < L; i++) rss += at[yo + i]! * at[yo + i]!;
    have = kept;
  }
  return { r, qty, rss };
}

/** SVD of R plus the rotated right-hand side, for rank-aware solves (lstsq, ridge). */
export interface SolveBasis {
  svd: Svd;
  /** U_Rᵀ · Qᵀy. */
  uty: Float64Array;
}

export function solveBasis(t: TallQr, n: number): SolveBasis {
  const f = jacobiSvd(t.r, n, n);
  const uty = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += f.u[i * n + c]! * t.qty[i]!;
    uty[c] = s;
  }
  return { svd: f, uty };
}

/** x = V · diag(filter(s)) · Uᵀy; `filter` maps a singular value to its factor (1/s, or s/(s²+α)). */
export function applyFilter(b: SolveBasis, n: number, filter: (s: number) => number): Float64Array {
  const x = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    const w = filter(b.svd.s[c]!) * b.uty[c]!;
    if (w === 0) continue;
    for (let j = 0; j < n; j++) x[j]! += b.svd.vt[c * n + j]! * w;
  }
  return x;
}

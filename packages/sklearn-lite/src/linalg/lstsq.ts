import { kernelArray, releaseKernelArray, syrk } from '@lumen/tensor';
import { matmul, matmulAtB } from './products.js';
import { householderQrTransposed } from './qr.js';
import { jacobiSvd, type Svd } from './svd.js';

/** The triangular factor of a tall least-squares problem: X = Q R, Qᵀy (first n entries), and ‖y - X·x*‖². */
export interface TallQr {
  r: Float64Array; // n x n, upper triangular, row-major
  qty: Float64Array; // n
  rss: number;
}

/**
 * X = Q R for the least-squares solve. A full-rank, reasonably conditioned X takes CholeskyQR2
 * (on @lumen/tensor's kernels: XᵀX and Q₁ᵀQ₁ by syrk, Q₁ = X·R₁⁻¹ by GEMM); anything it cannot factor to
 * working accuracy — rank-deficient, badly conditioned, wider than tall — takes the streamed
 * Householder QR. Both give R with X's singular values to rounding of ‖X‖.
 */
export function tallQr(X: Float64Array, m: number, n: number, y: Float64Array): TallQr {
  return choleskyQr2(X, m, n, y) ?? householderTallQr(X, m, n, y);
}

/**
 * Loss of orthogonality (max |Q₁ᵀQ₁ - I|) the first CholeskyQR pass may leave: the second pass
 * then restores orthogonality to rounding (Yamamoto et al. 2015). It is about κ(X)²·eps, so this
 * admits κ up to ~1e6 and sends anything worse to Householder.
 */
const CHOLQR_MAX_DRIFT = 1e-3;
/** A Cholesky pivot below this fraction of its column's squared norm counts as rank-deficient. */
const CHOLQR_MIN_PIVOT = 1e-12;

/** Rows per block of the CholeskyQR2 passes: a block and its Q₁ rows stay in cache between GEMMs. */
const CHOLQR_BLOCK = 2048;

/**
 * CholeskyQR2: R₁ = chol(XᵀX), Q₁ = X·R₁⁻¹, R₂ = chol(Q₁ᵀQ₁), R = R₂·R₁, Qᵀy = R₂⁻ᵀ·Q₁ᵀy. The
 * O(m·n²) work is GEMMs (against Householder's rank-1 updates), in two passes over X by blocks of
 * rows: XᵀX = Σ X_bᵀX_b, then each block's Q₁ rows are formed and folded into Q₁ᵀQ₁ and Q₁ᵀy
 * while in cache (Q₁ is never stored whole). Null when X is not tall, has a (numerically)
 * dependent column, or the first pass drifted too far from orthogonal.
 */
export function choleskyQr2(X: Float64Array, m: number, n: number, y: Float64Array): TallQr | null {
  if (n === 0 || m < n) return null;
  const B = Math.min(m, CHOLQR_BLOCK);
  const part = new Float64Array(n * n);
  const g = new Float64Array(n * n);
  // XᵀX: one syrk over all of X where X lives in the kernels' memory (half the work of a GEMM, no
  // packing), else blocks of GEMMs.
  if (!syrk(m, n, X, g)) {
    for (let r0 = 0; r0 < m; r0 += B) {
      const rows = Math.min(B, m - r0);
      const xb = X.subarray(r0 * n, (r0 + rows) * n);
      addInto(g, matmulAtB(xb, xb, rows, n, n, part));
    }
  }
  const r1 = cholesky(g, n);
  if (!r1) return null;
  const r1inv = invertUpper(r1, n);
  const qb = kernelArray(B * n, Float64Array);
  try {
    const g2 = new Float64Array(n * n);
    const q1y = new Float64Array(n);
    const vpart = new Float64Array(n);
    for (let r0 = 0; r0 < m; r0 += B) {
      const rows = Math.min(B, m - r0);
      const q = qb.subarray(0, rows * n);
      matmul(X.subarray(r0 * n, (r0 + rows) * n), r1inv, rows, n, n, q);
      if (!syrk(rows, n, q, part)) matmulAtB(q, q, rows, n, n, part);
      addInto(g2, part);
      addInto(q1y, matmul(y.subarray(r0, r0 + rows), q, 1, rows, n, vpart)); // y_bᵀ·Q_b
    }
    return finishCholeskyQr2(r1, g2, q1y, y, m, n);
  } finally {
    releaseKernelArray(qb);
  }
}

function finishCholeskyQr2(
  r1: Float64Array,
  g2: Float64Array,
  q1y: Float64Array,
  y: Float64Array,
  m: number,
  n: number,
): TallQr | null {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (Math.abs(g2[i * n + j]! - (i === j ? 1 : 0)) > CHOLQR_MAX_DRIFT) return null;
    }
  }
  const r2 = cholesky(g2, n);
  if (!r2) return null;
  // R = R₂·R₁ (both upper triangular).
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let p = i; p <= j; p++) s += r2[i * n + p]! * r1[p * n + j]!;
      r[i * n + j] = s;
    }
  }
  // Qᵀy = R₂⁻ᵀ (Q₁ᵀy): forward substitution with R₂ᵀ.
  const qty = q1y;
  for (let i = 0; i < n; i++) {
    let s = qty[i]!;
    for (let p = 0; p < i; p++) s -= r2[p * n + i]! * qty[p]!;
    qty[i] = s / r2[i * n + i]!;
  }
  let yy = 0;
  for (let i = 0; i < m; i++) yy += y[i]! * y[i]!;
  let qq = 0;
  for (let i = 0; i < n; i++) qq += qty[i]! * qty[i]!;
  // ‖y‖² - ‖Qᵀy‖²: loses relative accuracy when the fit is nearly exact (no caller needs more).
  return { r, qty, rss: Math.max(0, yy - qq) };
}

function addInto(acc: Float64Array, x: Float64Array): void {
  for (let i = 0; i < acc.length; i++) acc[i]! += x[i]!;
}

/** Upper-triangular R with RᵀR = G (n x n, symmetric), or null at a pivot too small for full rank. */
function cholesky(g: Float64Array, n: number): Float64Array | null {
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let d = g[i * n + i]!;
    for (let p = 0; p < i; p++) d -= r[p * n + i]! * r[p * n + i]!;
    if (!(d > CHOLQR_MIN_PIVOT * g[i * n + i]!)) return null; // also catches NaN
    const rii = Math.sqrt(d);
    r[i * n + i] = rii;
    for (let j = i + 1; j < n; j++) {
      let s = g[i * n + j]!;
      for (let p = 0; p < i; p++) s -= r[p * n + i]! * r[p * n + j]!;
      r[i * n + j] = s / rii;
    }
  }
  return r;
}

/** R⁻¹ of an upper-triangular R (n x n) with a nonzero diagonal: upper triangular again. */
function invertUpper(r: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let j = n - 1; j >= 0; j--) {
    inv[j * n + j] = 1 / r[j * n + j]!;
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let p = i + 1; p <= j; p++) s += r[i * n + p]! * inv[p * n + j]!;
      inv[i * n + j] = -s / r[i * n + i]!;
    }
  }
  return inv;
}

/**
 * Householder QR of [X | y] streamed over blocks of rows (TSQR with a flat tree): each block is
 * stacked under the running R and re-triangularized, so the data is read once and every
 * reflection works in cache. Numerically this is Householder QR, not the normal equations.
 */
export function householderTallQr(X: Float64Array, m: number, n: number, y: Float64Array): TallQr {
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

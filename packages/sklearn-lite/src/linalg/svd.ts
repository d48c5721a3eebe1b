import { matmul } from './products.js';
import { householderQrTransposed, thinQTransposed, upperR } from './qr.js';
import { transpose } from './rows.js';

/** A thin SVD A = U · diag(s) · Vt with k = min(m, n) and s descending. */
export interface Svd {
  /** m x k, row-major. */
  u: Float64Array;
  s: Float64Array;
  /** k x n, row-major. */
  vt: Float64Array;
  k: number;
}

/**
 * Thin SVD of A (m x n, row-major): Householder QR first (so Jacobi works on a small square R),
 * then one-sided Jacobi (Hestenes) on R, which is accurate to a few ulps relative to each singular
 * value's scale and needs no bidiagonal bookkeeping.
 */
export function svd(a: Float64Array, m: number, n: number): Svd {
  if (m < n) {
    const t = svd(transpose(a, m, n), n, m);
    // Aᵀ = U' S V'ᵀ  ⇒  A = V' S U'ᵀ
    return { u: transpose(t.vt, t.k, m), s: t.s, vt: transpose(t.u, n, t.k), k: t.k };
  }
  const f = householderQrTransposed(transpose(a, m, n), m, n);
  const qt = thinQTransposed(f); // n x m
  const small = jacobiSvd(upperR(f), n, n);
  // U = Q · U_R: Uᵀ = U_Rᵀ · Qᵀ (n x m).
  const ut = matmul(transpose(small.u, n, n), qt, n, n, m);
  return { u: transpose(ut, n, m), s: small.s, vt: small.vt, k: n };
}

/** Thin SVD of A (m x n, m >= n) by one-sided Jacobi directly on A: for small or square matrices. */
export function jacobiSvd(a: Float64Array, m: number, n: number): Svd {
  const { wt, vrows } = jacobi(transpose(a, m, n), m, n);
  // W = A V has orthogonal columns (rows of wt): s_j = |w_j|, U column j = w_j / s_j.
  const s = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let ss = 0;
    for (let i = 0; i < m; i++) ss += wt[j * m + i]! * wt[j * m + i]!;
    s[j] = Math.sqrt(ss);
    if (s[j]! > 0) for (let i = 0; i < m; i++) wt[j * m + i]! /= s[j]!;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => s[y]! - s[x]! || x - y);
  const sSorted = new Float64Array(n);
  const ut = new Float64Array(n * m); // rows: U's columns, sorted
  const vt = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    const j = order[c]!;
    sSorted[c] = s[j]!;
    ut.set(wt.subarray(j * m, j * m + m), c * m);
    vt.set(vrows.subarray(j * n, j * n + n), c * n);
  }
  return { u: transpose(ut, n, m), s: sSorted, vt, k: n };
}

/**
 * One-sided Jacobi on the columns of A given as rows of `wt` (n rows of length m, overwritten):
 * rotates pairs of rows until all are mutually orthogonal, accumulating the rotations in `vrows`
 * (row j = column j of V).
 */
function jacobi(wt: Float64Array, m: number, n: number): { wt: Float64Array; vrows: Float64Array } {
  const vrows = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vrows[i * n + i] = 1;
  const tol = 1e-15 * Math.max(1, Math.sqrt(m));
  const norms = new Float64Array(n);
  for (let sweep = 0; sweep < 80; sweep++) {
    for (let j = 0; j < n; j++) {
      let ss = 0;
      for (let i = 0; i < m; i++) ss += wt[j * m + i]! * wt[j * m + i]!;
      norms[j] = ss;
    }
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      const po = p * m;
      for (let q = p + 1; q < n; q++) {
        const alpha = norms[p]!;
        const beta = norms[q]!;
        if (alpha === 0 || beta === 0) continue;
        const qo = q * m;
        let gamma = 0;
        for (let i = 0; i < m; i++) gamma += wt[po + i]! * wt[qo + i]!;
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const x = wt[po + i]!;
          const y = wt[qo + i]!;
          wt[po + i] = c * x - s * y;
          wt[qo + i] = s * x + c * y;
        }
        const pv = p * n;
        const qv = q * n;
        for (let i = 0; i < n; i++) {
          const x = vrows[pv + i]!;
          const y = vrows[qv + i]!;
          vrows[pv + i] = c * x - s * y;
          vrows[qv + i] = s * x + c * y;
        }
        norms[p] = alpha - t * gamma;
        norms[q] = beta + t * gamma;
      }
    }
    if (!rotated) break;
  }
  return { wt, vrows };
}

/**
 * scikit-learn's svd_flip with u_based_decision: each column of U is made to have its
 * largest-magnitude entry positive (first one on ties), and the matching row of Vt follows.
 * With `uBased: false` the decision is made on the rows of Vt instead.
 */
export function svdFlip(
  u: Float64Array,
  vt: Float64Array,
  m: number,
  k: number,
  n: number,
  uBased = true,
): void {
  for (let j = 0; j < k; j++) {
    let best = -1;
    let bestVal = 0;
    if (uBased) {
      for (let i = 0; i < m; i++) {
        const v = Math.abs(u[i * k + j]!);
        if (v > best) {
          best = v;
          bestVal = u[i * k + j]!;
        }
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = Math.abs(vt[j * n + i]!);
        if (v > best) {
          best = v;
          bestVal = vt[j * n + i]!;
        }
      }
    }
    if (bestVal < 0) {
      for (let i = 0; i < m; i++) u[i * k + j] = -u[i * k + j]!;
      for (let i = 0; i < n; i++) vt[j * n + i] = -vt[j * n + i]!;
    }
  }
}

import type { Generator } from '@lumen/tensor';
import { gemm, gemmABt, transpose } from './blas.js';
import { orthonormalRows } from './qr.js';
import { type Svd, svd, svdFlip } from './svd.js';

export interface RandomizedSvdOptions {
  nComponents: number;
  nOversamples?: number;
  /** Power iterations; scikit-learn's 'auto' is 7 when nComponents < 0.1·min(m, n), else 4. */
  nIter?: number;
  /** Decide the signs on U (scikit-learn's default when A is not transposed). */
  flipSign?: boolean;
  generator: Generator;
}

/**
 * Halko, Martinsson & Tropp's randomized SVD as scikit-learn's `randomized_svd` runs it: a
 * Gaussian test matrix, `nIter` power iterations (re-orthonormalized each half step; scikit-learn
 * uses LU there, which spans the same subspace), a thin SVD of the small projection, and svd_flip.
 * A wide A is worked on transposed, as scikit-learn's `transpose='auto'`.
 */
export function randomizedSvd(a: Float64Array, m: number, n: number, opts: RandomizedSvdOptions): Svd {
  const k = opts.nComponents;
  const l = Math.min(k + (opts.nOversamples ?? 10), Math.min(m, n));
  const nIter = opts.nIter ?? (k < 0.1 * Math.min(m, n) ? 7 : 4);
  const transposed = m < n;
  const A = transposed ? transpose(a, m, n) : a;
  const [M, N] = transposed ? [n, m] : [m, n];
  // Q as rows (l x N): the test matrix.
  let qt: Float64Array = new Float64Array(l * N);
  for (let i = 0; i < qt.length; i++) qt[i] = opts.generator.normal();
  let yt: Float64Array = new Float64Array(0);
  // Products with Aᵀ run as dot products over rows of a transposed copy: one extra pass over A
  // buys dot-product kernels (registers, no stores) for half of the work.
  const At = transpose(A, M, N);
  for (let it = 0; it <= nIter; it++) {
    yt = gemmABt(qt, A, l, N, M); // (A·Q)ᵀ, l x M
    yt = orthonormalRows(yt, M, l);
    if (it === nIter) break;
    qt = gemmABt(yt, At, l, M, N); // (Aᵀ·Y)ᵀ, l x N
    qt = orthonormalRows(qt, N, l);
  }
  const b = gemmABt(yt, At, l, M, N); // B = Qᵀ A, l x N
  const small = svd(b, l, N);
  const kk = Math.min(k, small.k);
  // U = Q · Û: Uᵀ = Ûᵀ Qᵀ, keep the first kk columns.
  const uhatT = transpose(small.u, l, small.k).subarray(0, kk * l);
  const ut = gemm(uhatT, yt, kk, l, M);
  let u: Float64Array = transpose(ut, kk, M);
  const s = small.s.slice(0, kk);
  let vt: Float64Array = small.vt.slice(0, kk * N);
  if (transposed) {
    // Aᵀ = U S Vt ⇒ A = Vtᵀ S Uᵀ
    const newU = transpose(vt, kk, N);
    vt = ut.slice(0, kk * M);
    u = newU;
  }
  // scikit-learn flips on the rows of the transposed problem's Vt, i.e. on the columns of this U.
  if (opts.flipSign ?? true) svdFlip(u, vt, m, kk, n, true);
  return { u, s, vt, k: kk };
}

import type { Generator } from '@lumen/tensor';
import { luPermutedLowerRows } from './lu.js';
import { matmul, matmulABt, matmulAtB } from './products.js';
import { orthonormalRows } from './qr.js';
import { transpose } from './rows.js';
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
 * Gaussian test matrix, `nIter` power iterations (renormalized each half step by LU, as
 * scikit-learn's 'auto' normalizer does for more than two iterations; no normalization for one or
 * two), an orthonormal basis of the last product by QR, a thin SVD of the small projection, and
 * svd_flip.
 * A wide A is worked on transposed, as scikit-learn's `transpose='auto'`.
 */
export function randomizedSvd(a: Float64Array, m: number, n: number, opts: RandomizedSvdOptions): Svd {
  const transposed = m < n;
  const A = transposed ? transpose(a, m, n) : a;
  const [M, N] = transposed ? [n, m] : [m, n];
  // Both products with A run with A's long side as the GEMM's rows (A·Q is M x l, Aᵀ·Y is N x l),
  // so the kernel can split them over threads; Aᵀ is A read through other strides, never copied.
  // The thin l-row factors are transposed (cheap) for the row-oriented QR.
  return randomizedSvdOf(
    {
      rows: M,
      cols: N,
      transposed,
      aq: (qt, l) => transpose(matmulABt(A, qt, M, N, l), M, l),
      aty: (yt, l) => transpose(matmulAtB(A, transpose(yt, l, M), M, N, l), N, l),
    },
    opts,
  );
}

/**
 * The products randomizedSvdOf needs from A (rows x cols, the original worked on transposed when
 * `transposed`): (A·Q)ᵀ (l x rows) from Qᵀ (l x cols), and (Aᵀ·Y)ᵀ (l x cols) from Yᵀ (l x rows).
 * Dense matrices use the GEMM (above), sparse ones their CSR products (TruncatedSVD).
 */
export interface RangeProducts {
  rows: number;
  cols: number;
  transposed: boolean;
  aq(qt: Float64Array, l: number): Float64Array;
  aty(yt: Float64Array, l: number): Float64Array;
  /** Qᵀ (l x cols) of the Gaussian test matrix; default: drawn row by row of Qᵀ. */
  testMatrix?(l: number): Float64Array;
}

/** randomizedSvd's steps over any A given by its products (see RangeProducts). */
export function randomizedSvdOf(p: RangeProducts, opts: RandomizedSvdOptions): Svd {
  const { rows: M, cols: N, transposed } = p;
  const [m, n] = transposed ? [N, M] : [M, N];
  const k = opts.nComponents;
  const l = Math.min(k + (opts.nOversamples ?? 10), Math.min(m, n));
  const nIter = opts.nIter ?? (k < 0.1 * Math.min(m, n) ? 7 : 4);
  // Q as rows (l x N): the test matrix.
  let qt: Float64Array;
  if (p.testMatrix) qt = p.testMatrix(l);
  else {
    qt = new Float64Array(l * N);
    for (let i = 0; i < qt.length; i++) qt[i] = opts.generator.normal();
  }
  let yt: Float64Array = new Float64Array(0);
  const normalize = nIter > 2 ? luPermutedLowerRows : (rows: Float64Array) => rows;
  for (let it = 0; it <= nIter; it++) {
    yt = p.aq(qt, l); // (A·Q)ᵀ, l x M
    if (it === nIter) {
      yt = orthonormalRows(yt, M, l);
      break;
    }
    yt = normalize(yt, M, l);
    qt = normalize(p.aty(yt, l), N, l); // (Aᵀ·Y)ᵀ
  }
  const b = p.aty(yt, l); // B = Qᵀ A, l x N
  const small = svd(b, l, N);
  const kk = Math.min(k, small.k);
  // U = Q · Û: Uᵀ = Ûᵀ Qᵀ, keep the first kk columns.
  const uhatT = transpose(small.u, l, small.k).subarray(0, kk * l);
  const ut = matmul(uhatT, yt, kk, l, M);
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

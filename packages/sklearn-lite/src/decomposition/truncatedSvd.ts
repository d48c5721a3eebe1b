import type { Generator, Tensor } from '@lumen/tensor';
import { fail, ShapeError } from '../base/errors.js';
import {
  BaseEstimator,
  checkInt,
  checkNumber,
  checkOneOf,
  type RandomState,
  resolveRandomState,
} from '../base/estimator.js';
import { type MatrixLike, matrix, matrixToTensor, toMatrix, vectorToTensor } from '../base/input.js';
import { lanczosSvd, type MatrixProducts } from '../linalg/lanczosSvd.js';
import { matmul, matmulABt, matmulAtB } from '../linalg/products.js';
import { randomizedSvd, randomizedSvdOf } from '../linalg/randomizedSvd.js';
import { transpose } from '../linalg/rows.js';
import type { Svd } from '../linalg/svd.js';
import { CsrMatrix, spmm, spmmT } from '../sparse/csr.js';

export interface TruncatedSVDOptions {
  nComponents: number;
  /**
   * 'randomized' (scikit-learn's default: Halko et al. with nIter power iterations) or 'arpack'
   * (the exact partial SVD: Lanczos bidiagonalization run to convergence).
   */
  algorithm: 'randomized' | 'arpack';
  /** Power iterations of the randomized solver (scikit-learn's 5). */
  nIter: number;
  nOversamples: number;
  randomState: RandomState;
  /** 'arpack' only (as in scikit-learn): relative residual at convergence; 0 = machine precision. */
  tol: number;
}

interface TruncatedState {
  components: Float64Array;
  singularValues: Float64Array;
  explainedVariance: Float64Array;
  explainedVarianceRatio: Float64Array;
  k: number;
  d: number;
}

/**
 * scikit-learn's randomized_svd on a CsrMatrix: randomizedSvd's steps with every product with A a
 * sparse one. A wide A is worked on transposed.
 */
function sparseRandomizedSvd(
  X: CsrMatrix,
  k: number,
  nOversamples: number,
  nIter: number,
  generator: Generator,
): Svd {
  const [m, n] = X.shape;
  const transposed = m < n;
  const A = transposed ? X.transpose() : X;
  const [M, N] = transposed ? [n, m] : [m, n];
  return randomizedSvdOf(
    {
      rows: M,
      cols: N,
      transposed,
      aq: (qt, l) => transpose(spmm(A, transpose(qt, l, N), l, new Float64Array(M * l)), M, l),
      aty: (yt, l) => transpose(spmmT(A, transpose(yt, l, M), l, new Float64Array(N * l)), N, l),
      // drawn as Q (N x l), row by row, as this solver always has
      testMatrix: (l) =>
        transpose(
          Float64Array.from({ length: N * l }, () => generator.normal()),
          N,
          l,
        ),
    },
    { nComponents: k, nOversamples, nIter, generator },
  );
}

function columnVariances(a: Float64Array, rows: number, cols: number): Float64Array {
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j]! += a[i * cols + j]!;
  for (let j = 0; j < cols; j++) mean[j]! /= rows;
  const v = new Float64Array(cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      const t = a[i * cols + j]! - mean[j]!;
      v[j]! += t * t;
    }
  for (let j = 0; j < cols; j++) v[j]! /= rows;
  return v;
}

/** Σ of the column variances of a CsrMatrix (zeros included). */
function sparseTotalVariance(X: CsrMatrix): number {
  const [n, d] = X.shape;
  const sum = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let p = 0; p < X.nnz; p++) {
    sum[X.indices[p]!]! += X.data[p]!;
    sq[X.indices[p]!]! += X.data[p]! * X.data[p]!;
  }
  let total = 0;
  for (let j = 0; j < d; j++) {
    const mean = sum[j]! / n;
    total += sq[j]! / n - mean * mean;
  }
  return total;
}

/**
 * scikit-learn's TruncatedSVD (latent semantic analysis): a rank-k SVD of X without centring, so
 * a CsrMatrix stays sparse. Randomized solver as scikit-learn's default (nIter 5, nOversamples 10);
 * our random stream is not numpy's, so the components match scikit-learn's up to the solver's
 * accuracy (and sign, decided as svd_flip decides it). 'arpack' converges to the exact leading
 * triplets (Lanczos bidiagonalization), so any start gives scikit-learn's ARPACK answer.
 */
export class TruncatedSVD extends BaseEstimator<TruncatedSVDOptions> {
  private state: TruncatedState | null = null;

  constructor(opts?: Partial<TruncatedSVDOptions>) {
    super(
      { nComponents: 2, algorithm: 'randomized', nIter: 5, nOversamples: 10, randomState: null, tol: 0 },
      opts,
    );
  }

  fit(X: MatrixLike | CsrMatrix, _y?: unknown): this {
    this.fitTransform(X);
    return this;
  }

  fitTransform(X: MatrixLike | CsrMatrix, _y?: unknown): Tensor {
    const op = 'TruncatedSVD.fit';
    const p = this.params;
    const algorithm = checkOneOf(op, 'algorithm', p.algorithm, ['randomized', 'arpack'] as const);
    const nIter = checkInt(op, 'nIter', p.nIter, 0);
    const nOversamples = checkInt(op, 'nOversamples', p.nOversamples, 1);
    const tol = checkNumber(op, 'tol', p.tol, { min: 0 });
    const generator = resolveRandomState(op, p.randomState);
    /** ARPACK needs k < min(rows, cols); the randomized solver k < cols. */
    const maxK = (rows: number, cols: number) =>
      Math.max(1, (algorithm === 'arpack' ? Math.min(rows, cols) : cols) - 1);
    const arpack = (A: MatrixProducts, k: number) => {
      // scikit-learn's _init_arpack_v0: uniform in [-1, 1]
      const draw = () => Float64Array.from({ length: A.cols }, () => 2 * generator.random() - 1);
      return lanczosSvd(A, { nComponents: k, tol, v0: draw(), fresh: draw });
    };
    let n: number;
    let d: number;
    let result: Svd;
    let totalVariance: number;
    if (X instanceof CsrMatrix) {
      [n, d] = X.shape;
      const k = checkInt(op, 'nComponents', p.nComponents, 1, maxK(n, d));
      const Xs = X;
      // Xᵀ·u gathers over a transposed copy (faster than scattering into the output)
      const Xt = algorithm === 'arpack' ? X.transpose() : null;
      result =
        Xt !== null
          ? arpack(
              {
                rows: n,
                cols: d,
                av: (v, out) => void spmm(Xs, v, 1, out),
                atu: (u, out) => void spmm(Xt, u, 1, out),
              },
              k,
            )
          : sparseRandomizedSvd(X, k, nOversamples, nIter, generator);
      totalVariance = sparseTotalVariance(X);
    } else {
      const A = toMatrix(op, 'X', X);
      n = A.rows;
      d = A.cols;
      const k = checkInt(op, 'nComponents', p.nComponents, 1, maxK(n, d));
      const [rows, cols, data] = [n, d, A.data];
      result =
        algorithm === 'arpack'
          ? arpack(
              {
                rows,
                cols,
                av: (v, out) => void matmulABt(data, v, rows, cols, 1, out),
                atu: (u, out) => void matmulAtB(u, data, rows, 1, cols, out),
              },
              k,
            )
          : randomizedSvd(A.data, n, d, { nComponents: k, nOversamples, nIter, generator });
      totalVariance = columnVariances(A.data, n, d).reduce((s, v) => s + v, 0);
    }
    const k = result.k;
    const Xt = new Float64Array(n * k);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < k; c++) Xt[i * k + c] = result.u[i * k + c]! * result.s[c]!;
    const explainedVariance = columnVariances(Xt, n, k);
    this.state = {
      components: result.vt,
      singularValues: result.s,
      explainedVariance,
      explainedVarianceRatio: explainedVariance.map((v) => v / totalVariance),
      k,
      d,
    };
    return matrixToTensor(matrix(n, k, Xt));
  }

  /** X · components_ᵀ (dense or CsrMatrix X). */
  transform(X: MatrixLike | CsrMatrix): Tensor {
    const s = this.fitted(this.state, 'transform');
    const op = 'TruncatedSVD.transform';
    if (X instanceof CsrMatrix) {
      if (X.shape[1] !== s.d)
        fail(
          op,
          `X has ${X.shape[1]} features, but TruncatedSVD was fitted with ${s.d} features`,
          ShapeError,
        );
      const out = spmm(X, transpose(s.components, s.k, s.d), s.k, new Float64Array(X.shape[0] * s.k));
      return matrixToTensor(matrix(X.shape[0], s.k, out));
    }
    const A = toMatrix(op, 'X', X);
    if (A.cols !== s.d)
      fail(op, `X has ${A.cols} features, but TruncatedSVD was fitted with ${s.d} features`, ShapeError);
    return matrixToTensor(matrix(A.rows, s.k, matmulABt(A.data, s.components, A.rows, s.d, s.k)));
  }

  /** Xt · components_: back to the feature space (dense). */
  inverseTransform(Xt: MatrixLike): Tensor {
    const s = this.fitted(this.state, 'inverseTransform');
    const A = toMatrix('TruncatedSVD.inverseTransform', 'X', Xt);
    if (A.cols !== s.k)
      fail(
        'TruncatedSVD.inverseTransform',
        `X has ${A.cols} columns, but TruncatedSVD has ${s.k} components`,
      );
    return matrixToTensor(matrix(A.rows, s.d, matmul(A.data, s.components, A.rows, s.k, s.d)));
  }

  get components_(): Tensor {
    const s = this.fitted(this.state, 'components_');
    return matrixToTensor(matrix(s.k, s.d, s.components.slice()));
  }
  get singularValues_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'singularValues_').singularValues.slice());
  }
  get explainedVariance_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'explainedVariance_').explainedVariance.slice());
  }
  get explainedVarianceRatio_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'explainedVarianceRatio_').explainedVarianceRatio.slice());
  }
}

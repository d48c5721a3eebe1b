import type { Tensor } from '@lumen/tensor';
import { fail, ShapeError } from '../base/errors.js';
import { BaseEstimator, checkBool, checkInt, checkNumber } from '../base/estimator.js';
import {
  checkSameLength,
  type Matrix,
  type MatrixLike,
  releaseMatrix,
  toMatrix,
  toVector,
  type VectorLike,
  vectorToTensor,
} from '../base/input.js';
import { applyFilter, type SolveBasis, solveBasis, tallQr } from '../linalg/lstsq.js';
import { matmulABt } from '../linalg/products.js';
import { centerColumnsInPlace } from '../linalg/rows.js';
import { r2Score } from '../metrics/regression.js';
import { CsrMatrix, spmm } from '../sparse/csr.js';
import { checkSampleWeight, fitSparseLinear, fitSparseRidgeCg } from './sparseLinear.js';

const EPS = 2.220446049250313e-16;

interface LinearState {
  coef: Float64Array;
  intercept: number;
  d: number;
}

/**
 * Centres X and y when fitting an intercept (sample-weighted means), scales rows by √sampleWeight,
 * factors X = QR (see tallQr) and R by SVD.
 */
function prepare(op: string, X: MatrixLike, y: VectorLike, fitIntercept: boolean, sampleWeight?: VectorLike) {
  const A: Matrix = toMatrix(op, 'X', X, { kernel: true });
  try {
    return prepareMatrix(op, A, y, fitIntercept, sampleWeight);
  } finally {
    releaseMatrix(A);
  }
}

function prepareMatrix(
  op: string,
  A: Matrix,
  y: VectorLike,
  fitIntercept: boolean,
  sampleWeight?: VectorLike,
) {
  const v = toVector(op, 'y', y);
  checkSameLength(op, ['X', 'y'], { length: A.rows }, v);
  const { rows: m, cols: n, data } = A;
  const sw = checkSampleWeight(op, sampleWeight, m);
  let xMean: Float64Array = new Float64Array(n);
  let yMean = 0;
  if (sw) {
    if (fitIntercept) {
      let total = 0;
      for (let i = 0; i < m; i++) {
        const w = sw[i]!;
        total += w;
        yMean += w * v[i]!;
        for (let j = 0, o = i * n; j < n; j++) xMean[j]! += w * data[o + j]!;
      }
      yMean /= total;
      for (let j = 0; j < n; j++) xMean[j]! /= total;
    }
    for (let i = 0; i < m; i++) {
      const r = Math.sqrt(sw[i]!);
      v[i] = r * (v[i]! - yMean);
      for (let j = 0, o = i * n; j < n; j++) data[o + j] = r * (data[o + j]! - xMean[j]!);
    }
  } else if (fitIntercept) {
    xMean = centerColumnsInPlace(data, m, n);
    for (const t of v) yMean += t;
    yMean /= m;
    for (let i = 0; i < m; i++) v[i]! -= yMean;
  }
  const basis = solveBasis(tallQr(data, m, n, v), n);
  return { basis, xMean, yMean, n, m };
}

function interceptOf(xMean: Float64Array, yMean: number, coef: Float64Array, fitIntercept: boolean): number {
  if (!fitIntercept) return 0;
  let s = yMean;
  for (let j = 0; j < coef.length; j++) s -= xMean[j]! * coef[j]!;
  return s;
}

/** Shared predict/score of the linear regressors. */
abstract class LinearRegressorBase<P extends { fitIntercept: boolean }> extends BaseEstimator<P> {
  protected state: LinearState | null = null;

  /** Predictions for dense X or a CsrMatrix. */
  predict(X: MatrixLike | CsrMatrix): Tensor {
    const s = this.fitted(this.state, 'predict');
    const name = this.constructor.name;
    if (X instanceof CsrMatrix) {
      if (X.shape[1] !== s.d)
        fail(
          `${name}.predict`,
          `X has ${X.shape[1]} features, but ${name} was fitted with ${s.d} features`,
          ShapeError,
        );
      const out = spmm(X, s.coef, 1, new Float64Array(X.shape[0]));
      for (let i = 0; i < out.length; i++) out[i]! += s.intercept;
      return vectorToTensor(out);
    }
    // In the kernels' memory: the product reads X where it is (no second copy to stage it).
    const A = toMatrix(`${name}.predict`, 'X', X, { kernel: true });
    try {
      if (A.cols !== s.d)
        fail(
          `${name}.predict`,
          `X has ${A.cols} features, but ${name} was fitted with ${s.d} features`,
          ShapeError,
        );
      const out = matmulABt(A.data, s.coef, A.rows, s.d, 1); // X·coef
      for (let i = 0; i < A.rows; i++) out[i]! += s.intercept;
      return vectorToTensor(out);
    } finally {
      releaseMatrix(A);
    }
  }

  /** R² of the predictions. */
  score(X: MatrixLike | CsrMatrix, y: VectorLike): number {
    return r2Score(y, this.predict(X));
  }

  get coef_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'coef_').coef.slice());
  }
  get intercept_(): number {
    return this.fitted(this.state, 'intercept_').intercept;
  }
  get nFeaturesIn_(): number {
    return this.fitted(this.state, 'nFeaturesIn_').d;
  }
}

export interface LinearRegressionOptions {
  fitIntercept: boolean;
}

/**
 * Ordinary least squares by a QR of X (CholeskyQR2 on GEMMs, or streamed Householder QR where X is
 * rank-deficient or badly conditioned) and an SVD of R, so
 * rank-deficient X gets the minimum-norm solution as numpy's lstsq gives it. A CsrMatrix X is never
 * densified: LSQR on the implicitly centred matrix (as scikit-learn's sparse path, to a tighter
 * tolerance), also minimum-norm; `rank_` and `singular_` are then not computed (as in scikit-learn).
 */
export class LinearRegression extends LinearRegressorBase<LinearRegressionOptions> {
  private extra: { rank: number; singular: Float64Array } | null = null;
  private sparseFit = false;

  constructor(opts?: Partial<LinearRegressionOptions>) {
    super({ fitIntercept: true }, opts);
  }

  /** Fits on X (dense or CsrMatrix) and y; sampleWeight weighs each sample's squared error. */
  fit(X: MatrixLike | CsrMatrix, y: VectorLike, sampleWeight?: VectorLike): this {
    const op = 'LinearRegression.fit';
    const fitIntercept = checkBool(op, 'fitIntercept', this.params.fitIntercept);
    if (X instanceof CsrMatrix) {
      const f = fitSparseLinear(op, X, y, sampleWeight, fitIntercept, 0);
      this.state = { coef: f.coef, intercept: f.intercept, d: X.shape[1] };
      this.extra = null;
      this.sparseFit = true;
      return this;
    }
    const { basis, xMean, yMean, n, m } = prepare(op, X, y, fitIntercept, sampleWeight);
    // numpy.linalg.lstsq's cutoff (eps · max(m, n) · s_max): the Jacobi SVD leaves exactly
    // dependent directions at rounding level (~1e-16 · s_max), which this treats as zero.
    const cutoff = EPS * Math.max(m, n) * (basis.svd.s[0] ?? 0);
    const coef = applyFilter(basis, n, (s) => (s > cutoff ? 1 / s : 0));
    this.state = { coef, intercept: interceptOf(xMean, yMean, coef, fitIntercept), d: n };
    this.extra = { rank: rankOf(basis, cutoff), singular: basis.svd.s.slice(0, Math.min(m, n)) };
    this.sparseFit = false;
    return this;
  }

  private denseOnly(what: string): void {
    if (this.sparseFit)
      fail(
        `LinearRegression.${what}`,
        `${what} is computed only by a fit on dense X, got a fit on a CsrMatrix (pass X.toDense() to get it)`,
      );
  }

  /** Rank of the (centred) X. */
  get rank_(): number {
    this.denseOnly('rank_');
    return this.fitted(this.extra, 'rank_').rank;
  }
  /** Singular values of the (centred) X, descending. */
  get singular_(): Tensor {
    this.denseOnly('singular_');
    return vectorToTensor(this.fitted(this.extra, 'singular_').singular.slice());
  }
}

function rankOf(b: SolveBasis, cutoff: number): number {
  let r = 0;
  for (const s of b.svd.s) if (s > cutoff) r++;
  return r;
}

export interface RidgeOptions {
  alpha: number;
  fitIntercept: boolean;
  /**
   * scikit-learn's `tol` (default 1e-4): the precision of a fit on a CsrMatrix, whose conjugate
   * gradients ('sparse_cg', scikit-learn's solver for sparse X) stop when the residual of the
   * normal equations is at most tol × the norm of their right-hand side. Dense X is solved exactly
   * (as scikit-learn's 'cholesky' and 'svd'), where tol has no effect.
   */
  tol: number;
  /** The most conjugate-gradient iterations (sparse X); null: scipy's default, 10 × the system's size. */
  maxIter: number | null;
}

/**
 * L2-regularized least squares: minimizes ‖y - Xw‖² + alpha·‖w‖², solved through the SVD of X's R
 * factor; a CsrMatrix X as scikit-learn's 'sparse_cg' (conjugate gradients on the implicitly centred
 * matrix, never densified, to `tol`).
 */
export class Ridge extends LinearRegressorBase<RidgeOptions> {
  constructor(opts?: Partial<RidgeOptions>) {
    super({ alpha: 1, fitIntercept: true, tol: 1e-4, maxIter: null }, opts);
  }

  /** Fits on X (dense or CsrMatrix) and y; sampleWeight weighs each sample's squared error. */
  fit(X: MatrixLike | CsrMatrix, y: VectorLike, sampleWeight?: VectorLike): this {
    const op = 'Ridge.fit';
    const alpha = checkNumber(op, 'alpha', this.params.alpha, { min: 0 });
    const fitIntercept = checkBool(op, 'fitIntercept', this.params.fitIntercept);
    const tol = checkNumber(op, 'tol', this.params.tol, { min: 0 });
    const maxIter = this.params.maxIter === null ? null : checkInt(op, 'maxIter', this.params.maxIter, 1);
    if (X instanceof CsrMatrix) {
      const f = fitSparseRidgeCg(op, X, y, sampleWeight, fitIntercept, alpha, tol, maxIter);
      this.state = { coef: f.coef, intercept: f.intercept, d: X.shape[1] };
      return this;
    }
    const { basis, xMean, yMean, n, m } = prepare(op, X, y, fitIntercept, sampleWeight);
    const cutoff = EPS * Math.max(m, n) * (basis.svd.s[0] ?? 0);
    const coef = applyFilter(basis, n, (s) => (s > cutoff ? s / (s * s + alpha) : 0));
    this.state = { coef, intercept: interceptOf(xMean, yMean, coef, fitIntercept), d: n };
    return this;
  }
}

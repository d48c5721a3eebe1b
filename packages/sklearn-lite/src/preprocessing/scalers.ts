import type { Tensor } from '@lumen/tensor';
import { fail, ShapeError } from '../base/errors.js';
import { BaseEstimator, checkBool, checkNumber } from '../base/estimator.js';
import { type Matrix, type MatrixLike, matrixToTensor, toMatrix, vectorToTensor } from '../base/input.js';
import { CsrMatrix } from '../sparse/csr.js';

const EPS = 2.220446049250313e-16;

function checkWidth(op: string, X: Matrix, nFeatures: number): void {
  if (X.cols !== nFeatures)
    fail(
      op,
      `X has ${X.cols} features, but this estimator was fitted with ${nFeatures} features`,
      ShapeError,
    );
}

export interface StandardScalerOptions {
  withMean: boolean;
  withStd: boolean;
}

interface StandardState {
  mean: Float64Array;
  variance: Float64Array;
  scale: Float64Array;
  n: number;
}

/** Standardizes features to zero mean and unit variance (population variance, ddof 0). */
export class StandardScaler extends BaseEstimator<StandardScalerOptions> {
  private state: StandardState | null = null;

  constructor(opts?: Partial<StandardScalerOptions>) {
    super({ withMean: true, withStd: true }, opts);
  }

  fit(X: MatrixLike | CsrMatrix, _y?: unknown): this {
    const op = 'StandardScaler.fit';
    checkBool(op, 'withMean', this.params.withMean);
    checkBool(op, 'withStd', this.params.withStd);
    if (X instanceof CsrMatrix) {
      this.state = sparseMeanVariance(op, X, this.params.withMean);
      return this;
    }
    const A = toMatrix(op, 'X', X);
    const { rows: n, cols: d, data } = A;
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]!;
    for (let j = 0; j < d; j++) mean[j]! /= n;
    // Two-pass variance with scikit-learn's correction term (sum of deviations), which cancels
    // the rounding error of the mean.
    const sq = new Float64Array(d);
    const corr = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const t = data[i * d + j]! - mean[j]!;
        sq[j]! += t * t;
        corr[j]! += t;
      }
    }
    const variance = new Float64Array(d);
    const scale = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      variance[j] = (sq[j]! - (corr[j]! * corr[j]!) / n) / n;
      const m = mean[j]!;
      const constant = variance[j]! <= n * EPS * variance[j]! + (n * m * EPS) ** 2;
      scale[j] = constant ? 1 : Math.sqrt(variance[j]!);
    }
    this.state = { mean, variance, scale, n };
    return this;
  }

  transform(X: CsrMatrix): CsrMatrix;
  transform(X: MatrixLike): Tensor;
  transform(X: MatrixLike | CsrMatrix): Tensor | CsrMatrix {
    const s = this.fitted(this.state, 'transform');
    if (X instanceof CsrMatrix) {
      checkSparseCentring('StandardScaler.transform', this.params.withMean);
      return scaleColumns('StandardScaler.transform', X, s.scale, this.params.withStd, true);
    }
    const A = toMatrix('StandardScaler.transform', 'X', X);
    checkWidth('StandardScaler.transform', A, s.mean.length);
    const d = A.cols;
    const out = A.data;
    for (let i = 0; i < A.rows; i++) {
      for (let j = 0; j < d; j++) {
        let v = out[i * d + j]!;
        if (this.params.withMean) v -= s.mean[j]!;
        if (this.params.withStd) v /= s.scale[j]!;
        out[i * d + j] = v;
      }
    }
    return matrixToTensor(A);
  }

  fitTransform(X: CsrMatrix, _y?: unknown): CsrMatrix;
  fitTransform(X: MatrixLike, _y?: unknown): Tensor;
  fitTransform(X: MatrixLike | CsrMatrix, _y?: unknown): Tensor | CsrMatrix {
    return X instanceof CsrMatrix ? this.fit(X).transform(X) : this.fit(X).transform(X);
  }

  inverseTransform(X: CsrMatrix): CsrMatrix;
  inverseTransform(X: MatrixLike): Tensor;
  inverseTransform(X: MatrixLike | CsrMatrix): Tensor | CsrMatrix {
    const s = this.fitted(this.state, 'inverseTransform');
    if (X instanceof CsrMatrix) {
      checkSparseCentring('StandardScaler.inverseTransform', this.params.withMean);
      return scaleColumns('StandardScaler.inverseTransform', X, s.scale, this.params.withStd, false);
    }
    const A = toMatrix('StandardScaler.inverseTransform', 'X', X);
    checkWidth('StandardScaler.inverseTransform', A, s.mean.length);
    const d = A.cols;
    for (let i = 0; i < A.rows; i++) {
      for (let j = 0; j < d; j++) {
        let v = A.data[i * d + j]!;
        if (this.params.withStd) v *= s.scale[j]!;
        if (this.params.withMean) v += s.mean[j]!;
        A.data[i * d + j] = v;
      }
    }
    return matrixToTensor(A);
  }

  get mean_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'mean_').mean);
  }
  get var_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'var_').variance);
  }
  get scale_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'scale_').scale);
  }
  get nSamplesSeen_(): number {
    return this.fitted(this.state, 'nSamplesSeen_').n;
  }
  get nFeaturesIn_(): number {
    return this.fitted(this.state, 'nFeaturesIn_').mean.length;
  }
}

function checkSparseCentring(op: string, withMean: boolean): void {
  if (withMean)
    fail(
      op,
      'cannot center a sparse CsrMatrix (it would become dense): pass withMean: false, or X.toDense() if it fits in memory',
    );
}

/** Column means and variances of a CsrMatrix, zeros included (scikit-learn's mean_variance_axis with its correction term). */
function sparseMeanVariance(op: string, X: CsrMatrix, withMean: boolean): StandardState {
  checkSparseCentring(op, withMean);
  const [n, d] = X.shape;
  if (n === 0 || d === 0) fail(op, `X must have at least one sample and one feature, got shape [${n}, ${d}]`);
  const { indptr, indices, data } = X;
  const mean = new Float64Array(d);
  const nnz = new Float64Array(d);
  for (let p = 0; p < indptr[n]!; p++) {
    mean[indices[p]!]! += data[p]!;
    nnz[indices[p]!]!++;
  }
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const sq = new Float64Array(d);
  const corr = new Float64Array(d);
  for (let p = 0; p < indptr[n]!; p++) {
    const j = indices[p]!;
    const diff = data[p]! - mean[j]!;
    corr[j]! += diff;
    sq[j]! += diff * diff;
  }
  const variance = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const zeros = n - nnz[j]!;
    const v = sq[j]! + zeros * mean[j]! * mean[j]!;
    const c = corr[j]! - zeros * mean[j]!;
    variance[j] = (v - (c * c) / n) / n;
    const m = mean[j]!;
    const constant = variance[j]! <= n * EPS * variance[j]! + (n * m * EPS) ** 2;
    scale[j] = constant ? 1 : Math.sqrt(variance[j]!);
  }
  return { mean, variance, scale, n };
}

/** X with column j divided (or multiplied, for the inverse) by scale[j]: a new CsrMatrix. */
function scaleColumns(
  op: string,
  X: CsrMatrix,
  scale: Float64Array,
  apply: boolean,
  divide: boolean,
): CsrMatrix {
  if (X.shape[1] !== scale.length)
    fail(
      op,
      `X has ${X.shape[1]} features, but this estimator was fitted with ${scale.length} features`,
      ShapeError,
    );
  const data = X.dtype === 'float32' ? new Float32Array(X.nnz) : new Float64Array(X.nnz);
  for (let p = 0; p < X.nnz; p++) {
    const s = apply ? scale[X.indices[p]!]! : 1;
    data[p] = divide ? X.data[p]! / s : X.data[p]! * s;
  }
  return CsrMatrix.unchecked(data, X.indices.slice(), X.indptr.slice(), [X.shape[0], X.shape[1]]);
}

export type MaxAbsScalerOptions = Record<string, never>;

interface MaxAbsState {
  maxAbs: Float64Array;
  scale: Float64Array;
  n: number;
}

/** Scales each feature by its maximum absolute value (scikit-learn's MaxAbsScaler); keeps sparse input sparse. */
export class MaxAbsScaler extends BaseEstimator<MaxAbsScalerOptions> {
  private state: MaxAbsState | null = null;

  constructor(opts?: Partial<MaxAbsScalerOptions>) {
    super({}, opts);
  }

  fit(X: MatrixLike | CsrMatrix, _y?: unknown): this {
    const op = 'MaxAbsScaler.fit';
    let maxAbs: Float64Array;
    let n: number;
    if (X instanceof CsrMatrix) {
      n = X.shape[0];
      if (n === 0 || X.shape[1] === 0)
        fail(op, `X must have at least one sample and one feature, got shape [${n}, ${X.shape[1]}]`);
      maxAbs = new Float64Array(X.shape[1]);
      for (let p = 0; p < X.nnz; p++) {
        const v = Math.abs(X.data[p]!);
        if (v > maxAbs[X.indices[p]!]!) maxAbs[X.indices[p]!] = v;
      }
    } else {
      const A = toMatrix(op, 'X', X);
      n = A.rows;
      maxAbs = new Float64Array(A.cols);
      for (let i = 0; i < A.rows; i++)
        for (let j = 0; j < A.cols; j++) {
          const v = Math.abs(A.data[i * A.cols + j]!);
          if (v > maxAbs[j]!) maxAbs[j] = v;
        }
    }
    const scale = maxAbs.map((v) => (v < 10 * EPS ? 1 : v));
    this.state = { maxAbs, scale, n };
    return this;
  }

  transform(X: CsrMatrix): CsrMatrix;
  transform(X: MatrixLike): Tensor;
  transform(X: MatrixLike | CsrMatrix): Tensor | CsrMatrix {
    return this.apply('transform', X, true);
  }

  fitTransform(X: CsrMatrix, _y?: unknown): CsrMatrix;
  fitTransform(X: MatrixLike, _y?: unknown): Tensor;
  fitTransform(X: MatrixLike | CsrMatrix, _y?: unknown): Tensor | CsrMatrix {
    return this.fit(X).apply('transform', X, true);
  }

  inverseTransform(X: CsrMatrix): CsrMatrix;
  inverseTransform(X: MatrixLike): Tensor;
  inverseTransform(X: MatrixLike | CsrMatrix): Tensor | CsrMatrix {
    return this.apply('inverseTransform', X, false);
  }

  private apply(what: string, X: MatrixLike | CsrMatrix, divide: boolean): Tensor | CsrMatrix {
    const s = this.fitted(this.state, what);
    const op = `MaxAbsScaler.${what}`;
    if (X instanceof CsrMatrix) return scaleColumns(op, X, s.scale, true, divide);
    const A = toMatrix(op, 'X', X);
    checkWidth(op, A, s.scale.length);
    for (let i = 0; i < A.rows; i++)
      for (let j = 0; j < A.cols; j++) {
        const k = i * A.cols + j;
        A.data[k] = divide ? A.data[k]! / s.scale[j]! : A.data[k]! * s.scale[j]!;
      }
    return matrixToTensor(A);
  }

  get maxAbs_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'maxAbs_').maxAbs.slice());
  }
  get scale_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'scale_').scale.slice());
  }
  get nSamplesSeen_(): number {
    return this.fitted(this.state, 'nSamplesSeen_').n;
  }
}

export interface MinMaxScalerOptions {
  featureRange: readonly [number, number];
  clip: boolean;
}

interface MinMaxState {
  dataMin: Float64Array;
  dataMax: Float64Array;
  dataRange: Float64Array;
  scale: Float64Array;
  min: Float64Array;
}

/** Scales each feature to `featureRange` (default [0, 1]) using the training min and max. */
export class MinMaxScaler extends BaseEstimator<MinMaxScalerOptions> {
  private state: MinMaxState | null = null;

  constructor(opts?: Partial<MinMaxScalerOptions>) {
    super({ featureRange: [0, 1], clip: false }, opts);
  }

  fit(X: MatrixLike, _y?: unknown): this {
    const op = 'MinMaxScaler.fit';
    const range = this.params.featureRange;
    if (!Array.isArray(range) || range.length !== 2)
      fail(op, `featureRange must be [min, max], got ${JSON.stringify(range)}`);
    const lo = checkNumber(op, 'featureRange[0]', range[0]);
    const hi = checkNumber(op, 'featureRange[1]', range[1]);
    if (lo >= hi)
      fail(op, `minimum of desired feature range must be smaller than maximum, got [${lo}, ${hi}]`);
    checkBool(op, 'clip', this.params.clip);
    const A = toMatrix(op, 'X', X);
    const d = A.cols;
    const dataMin = new Float64Array(d).fill(Number.POSITIVE_INFINITY);
    const dataMax = new Float64Array(d).fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < A.rows; i++) {
      for (let j = 0; j < d; j++) {
        const v = A.data[i * d + j]!;
        if (v < dataMin[j]!) dataMin[j] = v;
        if (v > dataMax[j]!) dataMax[j] = v;
      }
    }
    const dataRange = new Float64Array(d);
    const scale = new Float64Array(d);
    const min = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      dataRange[j] = dataMax[j]! - dataMin[j]!;
      const r = dataRange[j]! < 10 * EPS ? 1 : dataRange[j]!;
      scale[j] = (hi - lo) / r;
      min[j] = lo - dataMin[j]! * scale[j]!;
    }
    this.state = { dataMin, dataMax, dataRange, scale, min };
    return this;
  }

  transform(X: MatrixLike): Tensor {
    const s = this.fitted(this.state, 'transform');
    const A = toMatrix('MinMaxScaler.transform', 'X', X);
    checkWidth('MinMaxScaler.transform', A, s.scale.length);
    const [lo, hi] = this.params.featureRange;
    const d = A.cols;
    for (let i = 0; i < A.rows; i++) {
      for (let j = 0; j < d; j++) {
        let v = A.data[i * d + j]! * s.scale[j]! + s.min[j]!;
        if (this.params.clip) v = Math.min(hi, Math.max(lo, v));
        A.data[i * d + j] = v;
      }
    }
    return matrixToTensor(A);
  }

  fitTransform(X: MatrixLike, _y?: unknown): Tensor {
    return this.fit(X).transform(X);
  }

  inverseTransform(X: MatrixLike): Tensor {
    const s = this.fitted(this.state, 'inverseTransform');
    const A = toMatrix('MinMaxScaler.inverseTransform', 'X', X);
    checkWidth('MinMaxScaler.inverseTransform', A, s.scale.length);
    const d = A.cols;
    for (let i = 0; i < A.rows; i++) {
      for (let j = 0; j < d; j++) A.data[i * d + j] = (A.data[i * d + j]! - s.min[j]!) / s.scale[j]!;
    }
    return matrixToTensor(A);
  }

  get dataMin_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'dataMin_').dataMin);
  }
  get dataMax_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'dataMax_').dataMax);
  }
  get dataRange_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'dataRange_').dataRange);
  }
  get scale_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'scale_').scale);
  }
  get min_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'min_').min);
  }
}

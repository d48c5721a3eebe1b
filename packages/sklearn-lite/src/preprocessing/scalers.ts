import type { Tensor } from '@lumen/tensor';
import { fail } from '../base/errors.js';
import { BaseEstimator, checkBool, checkNumber } from '../base/estimator.js';
import { type Matrix, type MatrixLike, matrixToTensor, toMatrix, vectorToTensor } from '../base/input.js';

const EPS = 2.220446049250313e-16;

function checkWidth(op: string, X: Matrix, nFeatures: number): void {
  if (X.cols !== nFeatures)
    fail(op, `X has ${X.cols} features, but this estimator was fitted with ${nFeatures} features`);
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

  fit(X: MatrixLike, _y?: unknown): this {
    const op = 'StandardScaler.fit';
    checkBool(op, 'withMean', this.params.withMean);
    checkBool(op, 'withStd', this.params.withStd);
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

  transform(X: MatrixLike): Tensor {
    const s = this.fitted(this.state, 'transform');
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

  fitTransform(X: MatrixLike, _y?: unknown): Tensor {
    return this.fit(X).transform(X);
  }

  inverseTransform(X: MatrixLike): Tensor {
    const s = this.fitted(this.state, 'inverseTransform');
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
